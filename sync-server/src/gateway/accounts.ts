/**
 * Accounts live in CouchDB (database `tote-accounts`), never in the gateway's memory, so any gateway
 * instance can serve any shopper. Each shopper and guest owns a cart database (`userdb-<hex of name>`)
 * and its history (`<db>-history`, shopper-dbs.ts), created here with `_security` for server admins
 * only; the gateway makes the shopper's own CouchDB user their one member at first use
 * (shopper-couch-users.ts) and reaches them with that user's credentials, after its own checks.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { couchStatus, unlessMissing, type CouchAdmin } from '../couch-admin.ts';
import { ADMINS_ONLY, backupsDbOf, deleteDb, ensureDb, historyDbOf, shopperDbName, syncedDbsOf } from '../shopper-dbs.ts';
import { removeShopperCouchUser } from '../shopper-couch-users.ts';
import { GatewayError } from './errors.ts';
import { hashPassword, verifyPassword } from './passwords.ts';

export const ACCOUNTS_DB = 'tote-accounts';
export type Role = 'shopper' | 'support' | 'admin';
/**
 * What an account's password hash was made from (docs/encryption.md, "Signing in"). 'derived-v1': the
 * auth secret a device derives from the password (Argon2id, core/src/account/auth-secret.ts), so the
 * server never receives the password itself. 'password': the password as typed, for accounts made by
 * the server (staff and configured accounts, which sign in from Fauxton or the support command) and for
 * shoppers' accounts from before; a device replaces a shopper's at the next sign-in.
 */
export type AuthScheme = 'derived-v1' | 'password';

export const SESSION_TIMEOUT = { min: 15, max: 120, default: 30 } as const;
/** A guest cart is removed this long after its last activity. */
export const GUEST_TTL_MS = 7 * 24 * 3600_000;
/** A wrapped-key record ("keyring"), in bytes of JSON: a real one is about 600. Larger ones get 413. */
export const MAX_KEYRING_BYTES = 8 * 1024;

/**
 * The shopper's wrapped data key (docs/encryption.md): opaque to the server, which only keeps it beside
 * the account and hands it to the shopper's own sessions. It never holds a secret that opens it.
 */
export type KeyringRecord = Readonly<Record<string, unknown>>;

/**
 * What a device sends to show it holds the account's recovery key without sending the key: 32 bytes
 * derived from it (HKDF-SHA-256, "tote recovery proof v1"), base64url. The server keeps only
 * `recoveryVerifier`, the proof's SHA-256: the proof is 256 random-looking bits, so a fast hash is enough.
 */
export type RecoveryProof = string & { readonly __recoveryProof: true };

/** What checking a recovery proof against an account found. */
export type RecoveryCheck =
  | { readonly match: true; readonly account: Account; readonly keyring: KeyringRecord }
  | { readonly match: false };

export interface Account {
  readonly name: string;
  readonly role: Role;
  readonly guest: boolean;
  /** The shopper's own database (null for support and admin accounts, which hold no cart). */
  readonly dbName: string | null;
  readonly sessionTimeoutMinutes: number;
  readonly createdAt: number;
  readonly lastActiveAt: number;
}

interface AccountDoc extends Account {
  _id: string;
  _rev?: string;
  type: 'account';
  passwordHash: string;
  /** Absent on accounts from before schemes: 'password'. */
  auth?: AuthScheme;
  /**
   * For accounts made from configuration: the hash of the password configured, so a restart tells a
   * changed configuration (the account is reset to it) from the shopper's own change on a device.
   */
  configuredHash?: string;
  /** The wrapped-key record, once the shopper's first device stored it (never for guests or staff). */
  keyring?: KeyringRecord;
  /** SHA-256 (hex) of the recovery proof sent with the first record; never returned by any route. */
  recoveryVerifier?: string;
}

const docId = (name: string) => `account:${name}`;

/** Names are compared without regard to case or Unicode form: "Alice" and "alice" are one account. */
export function canonicalName(name: string): string {
  return name.normalize('NFC').trim().toLowerCase();
}

export function checkName(name: unknown): string {
  if (typeof name !== 'string') throw new GatewayError(400, 'bad_request', 'Enter a user name or email address.');
  const canonical = canonicalName(name);
  if (canonical.length < 3 || canonical.length > 128) throw new GatewayError(400, 'bad_request', 'The user name must be 3 to 128 characters long.');
  if (/[\s\p{Cc}:]/u.test(canonical) || canonical.startsWith('_')) {
    throw new GatewayError(400, 'bad_request', 'The user name cannot contain spaces or ":" and cannot start with "_".');
  }
  if (canonical.startsWith('guest-')) throw new GatewayError(400, 'bad_request', 'User names starting with "guest-" are reserved.');
  return canonical;
}

export function checkPassword(password: unknown): string {
  if (typeof password !== 'string' || password.length < 8) throw new GatewayError(400, 'bad_request', 'The password must be at least 8 characters long.');
  if (password.length > 1024) throw new GatewayError(400, 'bad_request', 'The password must be at most 1024 characters long.');
  return password;
}

/** An auth secret as sent: base64url of 32 bytes (43 characters), like a recovery proof; 400 otherwise. */
export function checkAuthSecret(value: unknown): string {
  if (typeof value !== 'string' || !/^[A-Za-z0-9_-]{42}[AEIMQUYcgkosw048]$/.test(value)) {
    throw new GatewayError(400, 'bad_request', 'The sign-in secret must be 32 bytes in base64url (43 characters). Update Tote and try again.');
  }
  return value;
}

/** A scheme named by a client: only 'derived-v1' may be asked for; anything else is the password itself. */
export function checkAuthScheme(value: unknown): AuthScheme {
  if (value === undefined || value === 'password') return 'password';
  if (value === 'derived-v1') return 'derived-v1';
  throw new GatewayError(400, 'bad_request', 'Unknown sign-in scheme. Update Tote and try again.');
}

/** The password field of a request under `scheme`: an auth secret, or a password by the password rules. */
export function checkSecret(value: unknown, scheme: AuthScheme): string {
  return scheme === 'derived-v1' ? checkAuthSecret(value) : checkPassword(value);
}

export function checkSessionTimeout(minutes: unknown): number {
  if (typeof minutes !== 'number' || !Number.isInteger(minutes) || minutes < SESSION_TIMEOUT.min || minutes > SESSION_TIMEOUT.max) {
    throw new GatewayError(400, 'bad_request', `The session timeout must be a whole number of minutes from ${SESSION_TIMEOUT.min} to ${SESSION_TIMEOUT.max}.`);
  }
  return minutes;
}

/** A keyring sent by a client: a JSON object of at most MAX_KEYRING_BYTES; 400 or 413 with a reason otherwise. */
export function checkKeyring(value: unknown): KeyringRecord {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new GatewayError(400, 'bad_request', 'The keyring must be a JSON object.');
  }
  if (Buffer.byteLength(JSON.stringify(value)) > MAX_KEYRING_BYTES) {
    throw new GatewayError(413, 'too_large', `The keyring may be at most ${MAX_KEYRING_BYTES / 1024} KB.`);
  }
  return value as KeyringRecord;
}

/** A recovery proof as sent: base64url of 32 bytes (43 characters); 400 otherwise. */
export function checkRecoveryProof(value: unknown): RecoveryProof {
  if (typeof value !== 'string' || !/^[A-Za-z0-9_-]{42}[AEIMQUYcgkosw048]$/.test(value)) {
    throw new GatewayError(400, 'bad_request', 'The recovery proof must be 32 bytes in base64url (43 characters).');
  }
  return value as RecoveryProof;
}

const verifierOf = (proof: RecoveryProof) => createHash('sha256').update(proof).digest('hex');
const DUMMY_VERIFIER = createHash('sha256').update('no account, no verifier').digest('hex');

/** Constant time: the same work whether or not the account has a verifier. */
function proofMatches(proof: RecoveryProof, verifier: string | undefined): boolean {
  const expected = Buffer.from(verifier ?? DUMMY_VERIFIER, 'hex');
  const given = Buffer.from(verifierOf(proof), 'hex');
  return expected.length === given.length && timingSafeEqual(expected, given) && verifier !== undefined;
}

/** Key order does not matter when comparing a record sent back with the stored one. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    return `{${Object.keys(value).sort().map((key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

const noRecovery = () => new GatewayError(409, 'conflict',
  'This account cannot be opened with a recovery key: its keys were saved before the server could check one. Sign in with the password instead.');
/** The one refusal for a wrong proof and for an account that does not exist: no account is revealed. */
export const recoveryRefused = () => new GatewayError(403, 'forbidden', 'This recovery key does not match the account.');

function publicAccount(doc: AccountDoc): Account {
  const { name, role, guest, dbName, sessionTimeoutMinutes, createdAt, lastActiveAt } = doc;
  return { name, role, guest, dbName, sessionTimeoutMinutes, createdAt, lastActiveAt };
}

export interface AccountStore {
  /** `auth` 'derived-v1': `password` is an auth secret (checked as one); default 'password'. */
  create(input: { name: string; password: string; role?: Role; guest?: boolean; auth?: AuthScheme }, now: number): Promise<Account>;
  get(name: string): Promise<Account | null>;
  /**
   * How the account signs in, for a device about to (`/_tote/prelogin`). An account that does not
   * exist answers 'derived-v1', like any account made by a current device: the answer names no account.
   */
  authScheme(name: string): Promise<AuthScheme>;
  /** The account when the password is right; null when the account is missing or the password wrong (same time either way). */
  verify(name: string, password: string): Promise<Account | null>;
  /**
   * A new password; with `keyring`, the re-wrapped key record is replaced in the same write. The recovery
   * verifier is kept; `recoveryProof` is taken only with the account's first record (it had none).
   */
  setPassword(name: string, password: string, keyring?: KeyringRecord, recoveryProof?: RecoveryProof, auth?: AuthScheme): Promise<void>;
  /** The account's wrapped-key record, or null when none was stored yet. */
  getKeyring(name: string): Promise<KeyringRecord | null>;
  /** Stores the first wrapped-key record, and the verifier of `recoveryProof` with it; 409 when the account already has one. */
  createKeyring(name: string, keyring: KeyringRecord, recoveryProof?: RecoveryProof): Promise<void>;
  /**
   * Checks a recovery proof: the account and its record when it matches; `{match: false}` for a wrong
   * proof and for an account that does not exist or has no record (the same time either way); 409 for an
   * account whose record was stored without a verifier.
   */
  checkRecovery(name: string, recoveryProof: RecoveryProof): Promise<RecoveryCheck>;
  /**
   * The forgotten password replaced: checks the proof again and stores the new password and `keyring` in
   * one write. `keyring.recovery` must be the stored one (so the verifier stays true). 403
   * (`recoveryRefused`) when the proof does not match or the account does not exist; 409 as
   * `checkRecovery`; 400 when the record changes the recovery wrapping.
   */
  recover(name: string, recoveryProof: RecoveryProof, password: string, keyring: KeyringRecord, auth?: AuthScheme): Promise<Account>;
  update(name: string, change: Partial<Pick<Account, 'sessionTimeoutMinutes' | 'lastActiveAt'>>): Promise<Account>;
  /** Removes the account and its databases (the cart, its history and its backups). */
  remove(name: string): Promise<void>;
  /** Guests whose last activity is before `before`. */
  idleGuests(before: number): Promise<Account[]>;
  /** Creates or updates a staff account (support, admin) or a configured shopper from configuration. */
  ensure(input: { name: string; password: string; role: Role }, now: number): Promise<Account>;
}

export async function accountStore(couch: CouchAdmin): Promise<AccountStore> {
  await couch.createDb(ACCOUNTS_DB);
  await couch.putSecurity(ACCOUNTS_DB, ADMINS_ONLY);
  const accountsDb = couch.db<AccountDoc>(ACCOUNTS_DB);
  /** Writes `doc` under its id; false when CouchDB refused it as a conflict (409). */
  const put = (doc: AccountDoc) => accountsDb.insert(doc, doc._id).then((saved) => saved.rev, (error: unknown) => {
    if (couchStatus(error) === 409) return null;
    throw error;
  });
  const dummyHash = await hashPassword(randomBytes(16).toString('hex'));

  const read = async (name: string): Promise<AccountDoc | null> => {
    return unlessMissing(accountsDb.get(docId(name)));
  };
  const write = async (doc: AccountDoc) => {
    const rev = await put(doc);
    if (rev === null) throw new GatewayError(409, 'conflict', 'The account was changed at the same time. Try again.');
    return { ...doc, _rev: rev };
  };
  /** Read, change, write; a concurrent write (another request, another gateway) is re-read and applied again. */
  const modify = async (name: string, change: (doc: AccountDoc) => AccountDoc): Promise<AccountDoc> => {
    for (let attempt = 0; ; attempt += 1) {
      const doc = await read(canonicalName(name));
      if (!doc) throw new GatewayError(404, 'not_found', 'This account no longer exists.');
      const changed = change(doc); // its refusals are final; only a concurrent write is retried
      try {
        return await write(changed);
      } catch (error) {
        if (!(error instanceof GatewayError && error.status === 409) || attempt >= 4) throw error;
      }
    }
  };
  /** The cart and its history, created with the same `_security` (admins only); idempotent. */
  const provisionDb = async (dbName: string) => {
    for (const db of syncedDbsOf(dbName)) await ensureDb(couch, db, ADMINS_ONLY);
  };

  const store: AccountStore = {
    async create({ name, password, role = 'shopper', guest = false, auth = 'password' }, now) {
      const canonical = guest ? name : checkName(name);
      checkSecret(password, auth);
      const dbName = role === 'shopper' ? shopperDbName(canonical) : null;
      const doc: AccountDoc = {
        _id: docId(canonical), type: 'account', name: canonical, role, guest, dbName,
        sessionTimeoutMinutes: SESSION_TIMEOUT.default, createdAt: now, lastActiveAt: now,
        passwordHash: await hashPassword(password), ...(auth === 'derived-v1' ? { auth } : {}),
      };
      if ((await put(doc)) === null) throw new GatewayError(409, 'conflict', 'An account with this name already exists. Sign in instead, or choose another name.');
      if (dbName) await provisionDb(dbName);
      return publicAccount(doc);
    },
    async get(name) {
      const doc = await read(canonicalName(name));
      return doc ? publicAccount(doc) : null;
    },
    async authScheme(name) {
      const doc = typeof name === 'string' ? await read(canonicalName(name)) : null;
      return doc ? (doc.auth ?? 'password') : 'derived-v1';
    },
    async verify(name, password) {
      const doc = typeof name === 'string' && typeof password === 'string' ? await read(canonicalName(name)) : null;
      const ok = await verifyPassword(typeof password === 'string' ? password : '', doc?.passwordHash ?? dummyHash);
      return doc && ok ? publicAccount(doc) : null;
    },
    async setPassword(name, password, keyring, recoveryProof, auth = 'password') {
      const passwordHash = await hashPassword(checkSecret(password, auth));
      await modify(name, ({ auth: _old, ...doc }) => ({
        ...doc, passwordHash, ...(auth === 'derived-v1' ? { auth } : {}), ...(keyring ? { keyring } : {}),
        ...(keyring && recoveryProof && !doc.keyring ? { recoveryVerifier: verifierOf(recoveryProof) } : {}),
      }));
    },
    async getKeyring(name) {
      return (await read(canonicalName(name)))?.keyring ?? null;
    },
    async createKeyring(name, keyring, recoveryProof) {
      await modify(name, (doc) => {
        if (doc.keyring) throw new GatewayError(409, 'conflict', 'This account already has its keys. Sign in again to unlock them.');
        const { recoveryVerifier: _old, ...rest } = doc;
        return { ...rest, keyring, ...(recoveryProof ? { recoveryVerifier: verifierOf(recoveryProof) } : {}) };
      });
    },
    async checkRecovery(name, recoveryProof) {
      const doc = typeof name === 'string' ? await read(canonicalName(name)) : null;
      const matches = proofMatches(recoveryProof, doc?.recoveryVerifier);
      if (doc?.keyring && !doc.recoveryVerifier) throw noRecovery();
      return matches && doc?.keyring ? { match: true, account: publicAccount(doc), keyring: doc.keyring } : { match: false };
    },
    async recover(name, recoveryProof, password, keyring, auth = 'password') {
      const passwordHash = await hashPassword(checkSecret(password, auth));
      const saved = await modify(name, (doc) => {
        const matches = proofMatches(recoveryProof, doc.recoveryVerifier);
        if (doc.keyring && !doc.recoveryVerifier) throw noRecovery();
        if (!matches || !doc.keyring) throw recoveryRefused();
        if (canonicalJson(keyring.recovery ?? null) !== canonicalJson(doc.keyring.recovery ?? null)) {
          throw new GatewayError(400, 'bad_request', 'The keyring must keep the recovery wrapping as it is stored.');
        }
        const { auth: _old, ...rest } = doc;
        return { ...rest, passwordHash, keyring, ...(auth === 'derived-v1' ? { auth } : {}) };
      }).catch((error: unknown) => {
        // An account that does not exist is refused like a wrong proof.
        throw error instanceof GatewayError && error.status === 404 ? recoveryRefused() : error;
      });
      return publicAccount(saved);
    },
    async update(name, change) {
      return publicAccount(await modify(name, (doc) => ({ ...doc, ...change })));
    },
    async remove(name) {
      const doc = await read(canonicalName(name));
      if (!doc) return;
      if (doc.dbName) {
        await deleteDb(couch, doc.dbName);
        await deleteDb(couch, historyDbOf(doc.dbName));
        await deleteDb(couch, backupsDbOf(doc.dbName));
        await removeShopperCouchUser(couch, doc.dbName);
      }
      await accountsDb.destroy(doc._id, doc._rev!).catch((error: unknown) => {
        if (couchStatus(error) !== 404 && couchStatus(error) !== 409) throw error;
      });
    },
    async idleGuests(before) {
      const all = await accountsDb.list({ include_docs: true, startkey: docId('guest-'), endkey: `${docId('guest-')}\ufff0` });
      return all.rows.flatMap((row) => (row.doc ? [row.doc] : [])).filter((doc) => doc.guest && doc.lastActiveAt < before).map(publicAccount);
    },
    async ensure({ name, password, role }, now) {
      const canonical = canonicalName(name);
      const doc = await read(canonical);
      if (!doc) {
        const made = await store.create({ name: canonical, password, role }, now).catch(async (error: unknown) => {
          if (error instanceof GatewayError && error.status === 400) {
            // configured names follow the server's rules (config.ts), which are looser than sign-up's
            const dbName = role === 'shopper' ? shopperDbName(canonical) : null;
            const created: AccountDoc = {
              _id: docId(canonical), type: 'account', name: canonical, role, guest: false, dbName,
              sessionTimeoutMinutes: SESSION_TIMEOUT.default, createdAt: now, lastActiveAt: now, passwordHash: await hashPassword(password),
            };
            await write(created);
            if (dbName) await provisionDb(dbName);
            return publicAccount(created);
          }
          throw error;
        });
        await modify(canonical, (created) => ({ ...created, configuredHash: created.passwordHash }));
        return made;
      }
      // Compared with the password configured, not the current hash: a shopper's account is switched to an
      // auth secret at its first sign-in from a device (or its password changed there), and that is no new
      // configuration. Accounts from before `configuredHash` compare with their hash once, then keep it.
      if (doc.role === role && (await verifyPassword(password, doc.configuredHash ?? doc.passwordHash))) {
        if (!doc.configuredHash) await write({ ...doc, configuredHash: doc.passwordHash });
        if (doc.dbName) await provisionDb(doc.dbName);
        return publicAccount(doc);
      }
      // The configuration changed the password. The key record stays: it was wrapped with the old password,
      // which no longer signs in, so the shopper's devices are asked for the recovery key (or the old
      // password) to unlock it, and the cart sealed with it is still read. Dropping it would make the next
      // sign-in start a new key, and everything sealed before unreadable.
      // The account signs in with this password again ('password'), until a device replaces it.
      const { auth: _auth, ...rest } = doc;
      const passwordHash = await hashPassword(password);
      return publicAccount(await write({ ...rest, role, passwordHash, configuredHash: passwordHash }));
    },
  };
  return store;
}
