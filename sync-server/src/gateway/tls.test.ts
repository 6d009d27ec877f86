import { X509Certificate } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { generate } from 'selfsigned';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ensureTls } from './tls.ts';

let dataDir: string;
beforeEach(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'tote-tls-'));
});
afterEach(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

const leafOf = (chain: string) => new X509Certificate(chain.slice(0, chain.indexOf('-----END CERTIFICATE-----') + 25));

describe('the local certificate authority', () => {
  it('is made on first start (CA:TRUE, key 0600) and signs the gateway\'s certificate for localhost', async () => {
    const tls = await ensureTls(dataDir, null);
    expect(tls.generated).toBe(true);
    expect(tls.migrated).toBe(false);
    const authority = new X509Certificate(await readFile(path.join(dataDir, 'tls', 'tote-local-ca.crt'), 'utf8'));
    expect(authority.ca).toBe(true);
    expect(tls.authority).toMatchObject({ certFile: path.join(dataDir, 'tls', 'tote-local-ca.crt'), fingerprint256: authority.fingerprint256, generated: true });
    for (const key of ['tote-local-ca.key', 'localhost.key']) expect((await stat(path.join(dataDir, 'tls', key))).mode & 0o777).toBe(0o600);
    const leaf = leafOf(tls.cert);
    expect(leaf.ca).toBe(false);
    expect(leaf.checkIssued(authority)).toBe(true);
    expect(leaf.verify(authority.publicKey)).toBe(true);
    expect(leaf.checkHost('localhost')).toBe('localhost');
    expect(leaf.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(tls.fingerprint256).toBe(leaf.fingerprint256);
    expect(tls.cert).not.toContain('PRIVATE KEY');
  });

  it('keeps both across starts', async () => {
    const first = await ensureTls(dataDir, null);
    const second = await ensureTls(dataDir, null);
    expect(second).toMatchObject({ generated: false, migrated: false, fingerprint256: first.fingerprint256 });
    expect(second.authority?.fingerprint256).toBe(first.authority?.fingerprint256);
  });

  it('replaces an older data folder\'s self-signed certificate with one the new authority signs', async () => {
    const old = await generate([{ name: 'commonName', value: 'localhost' }], { keyType: 'ec', curve: 'P-256', algorithm: 'sha256' });
    await mkdir(path.join(dataDir, 'tls'), { recursive: true });
    await writeFile(path.join(dataDir, 'tls', 'localhost.crt'), old.cert);
    await writeFile(path.join(dataDir, 'tls', 'localhost.key'), old.private, { mode: 0o600 });
    const tls = await ensureTls(dataDir, null);
    expect(tls).toMatchObject({ generated: true, migrated: true });
    expect(tls.fingerprint256).not.toBe(new X509Certificate(old.cert).fingerprint256);
    expect(leafOf(await readFile(path.join(dataDir, 'tls', 'localhost.crt'), 'utf8')).checkIssued(new X509Certificate(tls.authority!.cert))).toBe(true);
  });
});
