import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { generate } from 'selfsigned';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { certificateFingerprint, certificatePinStore, decideCertificate, normaliseFingerprint, withPin } from './certificate-pins.ts';

let serverCert: string;
let otherCert: string;
let dir: string;

async function makeCert(): Promise<string> {
  return (await generate([{ name: 'commonName', value: 'localhost' }], { keyType: 'ec', curve: 'P-256', algorithm: 'sha256' })).cert;
}

beforeAll(async () => {
  [serverCert, otherCert] = await Promise.all([makeCert(), makeCert()]);
  dir = await mkdtemp(path.join(tmpdir(), 'tote-pins-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const untrusted = (certificatePem: string, hostname = 'localhost') => ({ hostname, certificatePem, verificationResult: 'net::ERR_CERT_AUTHORITY_INVALID' });

describe('the certificate pin', () => {
  it('accepts the pinned fingerprint, as npm start prints it, and refuses any other', () => {
    const fingerprint = certificateFingerprint(serverCert);
    expect(fingerprint).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    const pins = withPin({}, 'LocalHost', fingerprint.toLowerCase());
    expect(decideCertificate(untrusted(serverCert), pins)).toEqual({ kind: 'pinned' });
    expect(decideCertificate(untrusted(otherCert), pins)).toEqual({ kind: 'changed', fingerprint: certificateFingerprint(otherCert), pinned: fingerprint });
    // A pin is for its host only.
    expect(decideCertificate(untrusted(serverCert, '127.0.0.1'), pins)).toEqual({ kind: 'ask', fingerprint });
  });

  it('asks about a server with no pin, showing its fingerprint, and accepts nothing unasked', () => {
    expect(decideCertificate(untrusted(serverCert), {})).toEqual({ kind: 'ask', fingerprint: certificateFingerprint(serverCert) });
    expect(decideCertificate(untrusted(serverCert, '__proto__'), {})).toMatchObject({ kind: 'ask' });
    expect(decideCertificate(untrusted('not a certificate'), {})).toEqual({ kind: 'refuse' });
  });

  it('leaves certificates Chromium trusts to Chromium (pins never weaken normal verification)', () => {
    const pins = withPin({}, 'localhost', certificateFingerprint(otherCert));
    expect(decideCertificate({ ...untrusted(serverCert), verificationResult: 'net::OK' }, pins)).toEqual({ kind: 'chromium' });
  });

  it('reads fingerprints however they are spelt', () => {
    const fingerprint = certificateFingerprint(serverCert);
    expect(normaliseFingerprint(fingerprint.replace(/:/g, ' ').toLowerCase())).toBe(fingerprint);
  });

  it('keeps pins in a 0600 file; a damaged file is no pins', async () => {
    const store = certificatePinStore(path.join(dir, 'pins', 'certificate-pins.json'));
    expect(await store.load()).toEqual({});
    await store.save(withPin({}, 'localhost', certificateFingerprint(serverCert)));
    expect(await store.load()).toEqual({ localhost: certificateFingerprint(serverCert) });
    expect((await stat(path.join(dir, 'pins', 'certificate-pins.json'))).mode & 0o777).toBe(0o600);
    await writeFile(path.join(dir, 'pins', 'certificate-pins.json'), '[1,');
    expect(await store.load()).toEqual({});
  });
});
