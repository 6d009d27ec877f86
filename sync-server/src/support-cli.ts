/**
 * The support tool (docs/backups.md, "Support tool"):
 *
 *   npm run support -w @tote/sync-server -- backups <user>
 *   npm run support -w @tote/sync-server -- restore-points <user>
 *   npm run support -w @tote/sync-server -- restore-backup <user> <YYYY-MM-DD> --reason "<ticket>" [--as <staff>]
 *   npm run support -w @tote/sync-server -- export-backups <folder>
 *   npm run support -w @tote/sync-server -- import-backups <folder> --reason "<ticket>"
 *
 * It talks to CouchDB as the server admin, found the way `npm start` finds it (COUCHDB_URL, TOTE_PORT,
 * TOTE_ADMIN_*, else `<TOTE_DATA_DIR>/admin.json`), prints counts, days, sizes and minutes, never a
 * document's content, and writes an audit entry for every command with who ran it (`--as`, else $USER)
 * and why (`--reason`).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { CHECKSUM_FILE, exportBackups, importBackups } from './backup-files.ts';
import { BackupError, findShopper, listBackups } from './backups.ts';
import { restoreBackup } from './backup-restore.ts';
import { ConfigError, configFromEnv, type Credentials } from './config.ts';
import { couchAdmin, CouchError, CouchUnreachableError, type CouchAdmin } from './couch-admin.ts';
import { auditLog, type AuditLog } from './gateway/audit.ts';
import { historyIds, restorePointsOf } from './restore-points.ts';

/**
 * Exit codes: 0 done; 1 refused or incomplete (unknown shopper, no backup that day, a restore to run
 * again); 2 wrong usage or no admin credentials; 3 CouchDB unreachable or refusing the admin.
 */
export const EXIT = { ok: 0, refused: 1, usage: 2, unavailable: 3 } as const;

export type SupportErrorCode = 'USAGE' | 'NO_ADMIN';

/** A command the tool cannot run as given; the message says what to type or set. */
export class SupportError extends Error {
  override readonly name = 'SupportError';
  constructor(readonly code: SupportErrorCode, message: string) {
    super(message);
  }
}

export interface SupportIo {
  readonly env: NodeJS.ProcessEnv;
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
  readonly now?: () => number;
}

const USAGE = `Usage: npm run support -w @tote/sync-server -- <command>
  backups <user>                                        the shopper's backups: day, documents, size
  restore-points <user>                                 minutes of the last 30 days at which the cart changed
  restore-backup <user> <YYYY-MM-DD> --reason "<ticket>"  restore the cart and history of that day
  export-backups <folder>                               every shopper's backups into a new folder, with SHA256SUMS
  import-backups <folder> --reason "<ticket>"           an exported folder's backups back onto the server (checked first)
Options: --as <your name> (default: $USER), --reason "<ticket>" (required for restore-backup and import-backups).
Connection: COUCHDB_URL or TOTE_PORT (default 5984), TOTE_ADMIN_USER/TOTE_ADMIN_PASSWORD or <TOTE_DATA_DIR>/admin.json.`;

interface Parsed {
  readonly command: string;
  readonly args: readonly string[];
  readonly as: string | null;
  readonly reason: string | null;
}

function parse(argv: readonly string[]): Parsed {
  const args: string[] = [];
  let as: string | null = null;
  let reason: string | null = null;
  for (let index = 0; index < argv.length; index += 1) {
    const arg = argv[index]!;
    const value = () => {
      const next = argv[index + 1];
      if (next === undefined || next.startsWith('--')) throw new SupportError('USAGE', `${arg} needs a value.`);
      index += 1;
      return next;
    };
    if (arg === '--as') as = value();
    else if (arg === '--reason') reason = value();
    else if (arg.startsWith('--as=')) as = arg.slice(5);
    else if (arg.startsWith('--reason=')) reason = arg.slice(9);
    else if (arg.startsWith('--')) throw new SupportError('USAGE', `Unknown option ${arg}.`);
    else args.push(arg);
  }
  const [command = 'help', ...rest] = args;
  return { command, args: rest, as, reason };
}

/** The server admin, as `npm start` knows it, never generated here: the tool must use the server's own. */
async function adminOf(env: NodeJS.ProcessEnv): Promise<{ url: string; admin: Credentials }> {
  const config = configFromEnv(env);
  const url = config.couchUrl ?? `http://127.0.0.1:${config.port}`;
  if (config.admin) return { url, admin: config.admin };
  const file = path.join(config.dataDir, 'admin.json');
  try {
    const stored = JSON.parse(await readFile(file, 'utf8')) as Partial<Credentials>;
    if (typeof stored.name === 'string' && typeof stored.password === 'string') return { url, admin: { name: stored.name, password: stored.password } };
  } catch {
    // reported below
  }
  throw new SupportError('NO_ADMIN', `No CouchDB admin credentials: set TOTE_ADMIN_USER and TOTE_ADMIN_PASSWORD, or TOTE_DATA_DIR to the server's data folder (no readable ${file}).`);
}

const kb = (bytes: number) => (bytes < 1024 ? `${bytes} B` : bytes < 1024 * 1024 ? `${(bytes / 1024).toFixed(1)} KB` : `${(bytes / 1024 / 1024).toFixed(1)} MB`);
const minuteText = (time: number) => `${new Date(time).toISOString().slice(0, 16).replace('T', ' ')} UTC`;

async function run(parsed: Parsed, couch: CouchAdmin, audit: AuditLog, staff: string, io: SupportIo & { now: () => number }): Promise<void> {
  const { command, args, reason } = parsed;
  const entry = (action: string, target: string | null, detail: Record<string, string | number | boolean | null>) => audit.append({
    at: io.now(), actor: staff, role: 'support', device: 'support-cli', action, target, detail: { ...detail, ...(reason ? { reason } : {}) },
  });
  const user = args[0];
  if (!user) throw new SupportError('USAGE', `${command} needs ${command.endsWith('-backups') ? 'a folder' : 'the shopper\'s account name'}.`);
  const refused = (action: string) => (error: unknown) => {
    if (error instanceof BackupError) entry(action, null, { [command.endsWith('-backups') ? 'folder' : 'shopper']: user, ok: false, error: error.code });
    throw error;
  };
  // A folder as typed where `npm run` was started (npm runs the script in the workspace's folder).
  const folderOf = (typed: string) => path.resolve(io.env.INIT_CWD ?? process.cwd(), typed);

  if (command === 'export-backups') {
    if (args.length !== 1) throw new SupportError('USAGE', 'export-backups takes one folder.');
    const folder = folderOf(user);
    const done = await exportBackups(couch, folder).catch(refused('support.export-backups'));
    entry('support.export-backups', null, { folder, ok: true, shoppers: done.shoppers, backups: done.backups, bytes: done.bytes });
    io.out(`Exported ${done.backups} backups of ${done.shoppers} shoppers (${kb(done.bytes)}) to ${folder}, with a SHA-256 of each file in ${CHECKSUM_FILE}.`);
    io.out(`Check a copy with: cd "${folder}" && sha256sum -c ${CHECKSUM_FILE}`);
    return;
  }

  if (command === 'import-backups') {
    if (args.length !== 1) throw new SupportError('USAGE', 'import-backups takes one folder.');
    if (!reason?.trim()) throw new SupportError('USAGE', 'import-backups needs --reason "<ticket>": why backups are brought back goes to the audit log.');
    const folder = folderOf(user);
    const done = await importBackups(couch, folder).catch(refused('support.import-backups'));
    const imported = done.shoppers.reduce((sum, shopper) => sum + shopper.imported.length, 0);
    entry('support.import-backups', null, { folder, ok: true, imported, present: done.shoppers.reduce((sum, shopper) => sum + shopper.present.length, 0), unknown: done.unknown.length });
    io.out(`Checked every file of ${folder} against ${CHECKSUM_FILE}; backups imported:`);
    for (const shopper of done.shoppers) {
      const days = shopper.imported.length ? ` (${shopper.imported[0]} to ${shopper.imported.at(-1)})` : '';
      io.out(`  ${shopper.shopper}: ${shopper.imported.length} imported${days}, ${shopper.present.length} already on the server`);
    }
    for (const name of done.unknown) io.out(`  ${name}: no such shopper on this server; not imported`);
    io.out('Restore a day with: npm run support -w @tote/sync-server -- restore-backup <user> <YYYY-MM-DD> --reason "<ticket>"');
    return;
  }

  if (command === 'backups') {
    if (args.length !== 1) throw new SupportError('USAGE', 'backups takes one account name.');
    const shopper = await findShopper(couch, user).catch(refused('support.backups'));
    const backups = await listBackups(couch, shopper);
    entry('support.backups', shopper.dbName, { shopper: shopper.name, ok: true, backups: backups.length });
    io.out(`Backups of ${shopper.name} (${backups.length}, kept 30 days):`);
    if (backups.length === 0) io.out('  none yet (a shopper is backed up once their cart has changed)');
    for (const backup of backups) {
      const [cart, history] = [backup.databases.find((db) => db.role === 'cart'), backup.databases.find((db) => db.role === 'history')];
      io.out(`  ${backup.day}  ${String(backup.docs).padStart(6)} documents (cart ${cart?.docs ?? 0}, history ${history?.docs ?? 0})  ${kb(backup.bytes).padStart(9)}  taken ${minuteText(backup.takenAt)}`);
    }
    return;
  }

  if (command === 'restore-points') {
    if (args.length !== 1) throw new SupportError('USAGE', 'restore-points takes one account name.');
    const shopper = await findShopper(couch, user).catch(refused('support.restore-points'));
    const { points, unreadable } = restorePointsOf(await historyIds(couch, shopper), io.now());
    entry('support.restore-points', shopper.dbName, { shopper: shopper.name, ok: true, minutes: points.length });
    io.out(`Minutes at which ${shopper.name}'s cart changed in the last 30 days (${points.length}):`);
    if (points.length === 0) io.out('  none (no history synced in the last 30 days)');
    for (const point of points) {
      io.out(`  ${minuteText(point.minute)}  ${point.changes} change${point.changes === 1 ? '' : 's'}, ${point.devices} device${point.devices === 1 ? '' : 's'}`);
    }
    if (unreadable > 0) io.out(`  (${unreadable} history entries without a readable time were left out)`);
    return;
  }

  if (command === 'restore-backup') {
    const day = args[1];
    if (args.length !== 2 || !day) throw new SupportError('USAGE', 'restore-backup takes an account name and a day (YYYY-MM-DD).');
    if (!reason?.trim()) throw new SupportError('USAGE', 'restore-backup needs --reason "<ticket>": why the cart is restored goes to the audit log.');
    const result = await restoreBackup(couch, { shopper: user, day, actor: staff, reason, now: io.now, audit }).catch(refused('support.restore-backup'));
    io.out(`Restored ${result.shopper}'s data of ${result.day}:`);
    for (const db of result.databases) {
      io.out(`  ${db.name}: ${db.written} documents written back, ${db.unchanged} already as they were, ${db.newer} made later left as they are`);
    }
    io.out('The shopper\'s connected devices were told; others get it when they next sync.');
    return;
  }
  throw new SupportError('USAGE', `Unknown command "${command}".`);
}

/** Runs one command; returns the exit code. Errors are printed as sentences, never as stack traces. */
export async function runSupportCommand(argv: readonly string[], io: SupportIo): Promise<number> {
  const now = io.now ?? Date.now;
  let audit: AuditLog | null = null;
  try {
    const parsed = parse(argv);
    if (parsed.command === 'help' || parsed.command === '--help') {
      io.out(USAGE);
      return EXIT.ok;
    }
    const staff = (parsed.as ?? io.env.USER ?? '').trim();
    if (!staff) throw new SupportError('USAGE', 'Say who you are with --as <your name> ($USER is not set): every command is audited.');
    const { url, admin } = await adminOf(io.env);
    const couch = couchAdmin(url, admin, { timeoutMs: 60_000 });
    audit = await auditLog(couch, (error) => io.err(`The audit entry could not be written: ${error instanceof Error ? error.message : String(error)}`));
    await run(parsed, couch, audit, staff, { ...io, now });
    return EXIT.ok;
  } catch (error) {
    if (error instanceof SupportError) {
      io.err(error.message);
      if (error.code === 'USAGE') io.err(USAGE);
      return EXIT.usage;
    }
    if (error instanceof BackupError) {
      io.err(error.message);
      return EXIT.refused;
    }
    if (error instanceof ConfigError) {
      io.err(error.message);
      return EXIT.usage;
    }
    if (error instanceof CouchUnreachableError) {
      io.err(`${error.message}. Is the sync server (or CouchDB) running, and are COUCHDB_URL or TOTE_PORT right?`);
      return EXIT.unavailable;
    }
    if (error instanceof CouchError && (error.status === 401 || error.status === 403)) {
      io.err('CouchDB refused the admin credentials: check TOTE_ADMIN_USER/TOTE_ADMIN_PASSWORD or the data folder\'s admin.json.');
      return EXIT.unavailable;
    }
    io.err(`The command failed: ${error instanceof Error ? error.message : String(error)}`);
    return EXIT.unavailable;
  } finally {
    await audit?.close().catch(() => undefined);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  void runSupportCommand(process.argv.slice(2), {
    env: process.env,
    out: (line) => console.log(line),
    err: (line) => console.error(line),
  }).then((code) => { process.exitCode = code; });
}
