/**
 * Ports: the few things the core needs from its platform, passed in by each shell
 * (extension background, desktop renderer, Node tests). The core never reaches for globals.
 */

/** Milliseconds since the epoch. Tests pass a controllable clock. */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** The device this core runs on: a stable id and a name the shopper recognises ("Chrome on laptop"). */
export interface DeviceInfo {
  readonly id: string;
  readonly name: string;
}

/** Creates unique ids for new items (and devices). */
export type IdFactory = () => string;

const ID_ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
export const ID_LENGTH = 16;

/**
 * 16 random letters and digits from Web Crypto: 95 bits, as unlikely to repeat as a 122-bit UUID is
 * within one shopper's carts, and less than half its length. An item's id is repeated in every key
 * IndexedDB keeps for it (the row, its three indexes, the transaction journal), twice the bytes of its
 * characters each time, and in CouchDB's: a shorter id made a 1000-item cart's IndexedDB 30 % smaller
 * (2303 to 1595 bytes per item, docs/benchmarks.md). Letters and digits only: never a leading "_" (reserved by CouchDB) or a ":"
 * (the separator of history ids and change stamps).
 */
export const randomId: IdFactory = () => {
  let id = '';
  while (id.length < ID_LENGTH) {
    for (const byte of globalThis.crypto.getRandomValues(new Uint8Array(ID_LENGTH))) {
      // 248 = 4 × 62: bytes above it are skipped so every character is equally likely.
      if (byte < 248 && id.length < ID_LENGTH) id += ID_ALPHABET[byte % 62];
    }
  }
  return id;
};

/**
 * Web Crypto, for end-to-end encryption (docs/encryption.md): `globalThis.crypto` in browsers, service
 * workers, Electron renderers and Node 20+. Each shell passes its own in; `Crypto` satisfies this as it is.
 */
export interface CryptoPort {
  readonly subtle: SubtleCrypto;
  getRandomValues<T extends Uint8Array<ArrayBuffer>>(array: T): T;
}

/** The platform's fetch (window.fetch, the service worker's fetch, Node's fetch). */
export type FetchPort = typeof fetch;

/** Tells whether the platform believes it is online (navigator.onLine and its events in browsers). */
export interface ConnectivityPort {
  isOnline(): boolean;
  /** Calls back on every change; returns an unsubscribe function. */
  onChange(listener: (online: boolean) => void): () => void;
}

export const alwaysOnline: ConnectivityPort = { isOnline: () => true, onChange: () => () => undefined };

/** The parts of a browser global (window, or a service worker's self) that tell connectivity. */
export interface OnlineEventSource {
  readonly navigator: { readonly onLine: boolean };
  addEventListener(type: 'online' | 'offline', listener: () => void): void;
  removeEventListener(type: 'online' | 'offline', listener: () => void): void;
}

/** Connectivity from the platform's online/offline events; the shell passes its global in. */
export function eventConnectivity(scope: OnlineEventSource): ConnectivityPort {
  return {
    isOnline: () => scope.navigator.onLine,
    onChange(listener) {
      const online = () => listener(true);
      const offline = () => listener(false);
      scope.addEventListener('online', online);
      scope.addEventListener('offline', offline);
      return () => {
        scope.removeEventListener('online', online);
        scope.removeEventListener('offline', offline);
      };
    },
  };
}

/**
 * Where a device keeps the shopper's unlocked data key between runs (docs/encryption.md, "Where the
 * key lives on each device"), so an app restart, or Chrome stopping the extension's idle worker, does
 * not lock the cart. `accountKey` names the account (server and name). The raw key is 32 bytes; the
 * store must keep it out of reach of web pages and content scripts (the extension's
 * `storage.session`, the desktop's OS-encrypted file). Cleared at sign-out and when the session ends.
 */
export interface KeyStorePort {
  load(accountKey: string): Promise<Uint8Array | null>;
  save(accountKey: string, rawKey: Uint8Array): Promise<void>;
  clear(accountKey: string): Promise<void>;
}

/** Keeps keys in this JavaScript context's memory only: gone with it (the cart is locked after a restart). */
export function memoryKeyStore(): KeyStorePort {
  const keys = new Map<string, Uint8Array>();
  return {
    load: async (accountKey) => (keys.has(accountKey) ? new Uint8Array(keys.get(accountKey)!) : null),
    save: async (accountKey, rawKey) => {
      keys.set(accountKey, new Uint8Array(rawKey));
    },
    clear: async (accountKey) => {
      keys.get(accountKey)?.fill(0);
      keys.delete(accountKey);
    },
  };
}
