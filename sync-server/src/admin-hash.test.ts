import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { ADMIN_PBKDF2_ITERATIONS, adminHashIterations, pouchdbAdminHash } from './admin-hash.ts';

// pouchdb-server verifies admins with crypto-lite's PBKDF2 (pouchdb-auth's hashPassword): the hash must match it.
const require = createRequire(import.meta.url);
const { crypto: cryptoLite } = require('crypto-lite') as { crypto: { pbkdf2(password: string, salt: string, iterations: number, length: number): string } };

describe('pouchdbAdminHash', () => {
  it('is what pouchdb-server computes to verify the password, for any password', () => {
    for (const password of ['plain-ASCII_password', 'pässwörd', 'пароль 密码', 'cart 🛒 emoji']) {
      const stored = pouchdbAdminHash(password, 50);
      const [, key, salt, iterations] = /^-pbkdf2-([\da-f]{40}),([\da-f]{32}),(\d+)$/.exec(stored)!;
      expect(cryptoLite.pbkdf2(password, salt!, Number(iterations), 20)).toBe(key);
    }
  });

  it('uses the strong count by default and a fresh salt each time', () => {
    expect(adminHashIterations(pouchdbAdminHash('secret password'))).toBe(ADMIN_PBKDF2_ITERATIONS);
    expect(pouchdbAdminHash('secret password')).not.toBe(pouchdbAdminHash('secret password'));
  });
});

describe('adminHashIterations', () => {
  it('reads the count of a stored hash, null for anything else', () => {
    expect(adminHashIterations('-pbkdf2-0a1b,ff00,10')).toBe(10);
    expect(adminHashIterations('plain password')).toBeNull();
    expect(adminHashIterations(null)).toBeNull();
  });
});
