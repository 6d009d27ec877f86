/**
 * The gateway's certificate: given by configuration (a real certificate and key), or, for local use, one
 * signed by a local certificate authority that is made on first start and kept in `<dataDir>/tls/`
 * (keys 0600). docs/sync-server.md, "Trusting the local certificate".
 *
 * Why an authority and not a self-signed server certificate: browsers and operating systems import a
 * trusted *authority* (Chromium's NSS store with `certutil -t "C,,"`, macOS's and Windows' root stores);
 * a self-signed server certificate (`CA:FALSE`) imported that way is refused (ERR_CERT_INVALID). The
 * authority signs only this server's certificate; its key never leaves the data folder.
 *
 * A data folder from before the authority (a self-signed `localhost.crt`) is migrated at start: the
 * authority is made and a new server certificate signed by it replaces the old one.
 */
import { createHash, X509Certificate } from 'node:crypto';
import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { generate } from 'selfsigned';
import { ConfigError } from '../config.ts';

export interface TlsCredentials {
  /** The server certificate, followed by the local authority's when there is one (the chain sent in the handshake). */
  readonly cert: string;
  readonly key: string;
  /** True when the server certificate was made just now (first start, or a migration). */
  readonly generated: boolean;
  /** True when a self-signed server certificate from an older data folder was replaced just now. */
  readonly migrated: boolean;
  /** base64 SHA-256 of the server certificate's public key (what Chromium's --ignore-certificate-errors-spki-list takes). */
  readonly spkiSha256: string;
  /** SHA-256 fingerprint of the server certificate (`AB:CD:…`): what the desktop app shows and pins. */
  readonly fingerprint256: string;
  /** Where the server certificate file is. */
  readonly certFile: string;
  /** The local authority (null with a certificate given by configuration): the file to trust, and its fingerprint. */
  readonly authority: { readonly certFile: string; readonly cert: string; readonly fingerprint256: string; readonly generated: boolean } | null;
}

const DAY = 24 * 3600_000;

function spkiHash(cert: string): string {
  const spki = new X509Certificate(cert).publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(spki).digest('base64');
}

async function readIfExists(file: string): Promise<string | null> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

/** Writes a key with mode 0600 whatever the umask, through a temporary file, so a half-written key never stays. */
async function writeSecret(file: string, text: string): Promise<void> {
  const next = `${file}.next`;
  await writeFile(next, text, { mode: 0o600 });
  await chmod(next, 0o600);
  await rename(next, file);
}

/** The first PEM block of a chain. */
function firstCertificate(pem: string): string {
  const end = pem.indexOf('-----END CERTIFICATE-----');
  return end < 0 ? pem : `${pem.slice(0, end + '-----END CERTIFICATE-----'.length)}\n`;
}

/** True when `leafPem` was issued and signed by `authorityPem` and is valid for a while yet. */
function signedBy(leafPem: string, authorityPem: string): boolean {
  try {
    const leaf = new X509Certificate(firstCertificate(leafPem));
    const authority = new X509Certificate(authorityPem);
    return leaf.checkIssued(authority) && leaf.verify(authority.publicKey) && Date.parse(leaf.validTo) > Date.now() + 30 * DAY;
  } catch {
    return false;
  }
}

async function ensureAuthority(dir: string): Promise<{ cert: string; key: string; generated: boolean }> {
  const certFile = path.join(dir, 'tote-local-ca.crt');
  const keyFile = path.join(dir, 'tote-local-ca.key');
  const [cert, key] = await Promise.all([readIfExists(certFile), readIfExists(keyFile)]);
  if (cert && key) {
    const parsed = new X509Certificate(cert);
    if (!parsed.ca) throw new ConfigError(`${certFile} is not a certificate authority (CA:TRUE): delete it and the server certificate next to it to make a new one.`);
    return { cert, key, generated: false };
  }
  const notBeforeDate = new Date(Date.now() - 60_000);
  const pems = await generate([
    { name: 'commonName', value: 'Tote local sync server authority' }, { name: 'organizationName', value: 'Tote (this computer only)' },
  ], {
    keyType: 'ec', curve: 'P-256', algorithm: 'sha256', notBeforeDate, notAfterDate: new Date(notBeforeDate.getTime() + 10 * 365 * DAY),
    extensions: [
      // pathlen 0: it signs server certificates only, never another authority.
      { name: 'basicConstraints', cA: true, pathLenConstraint: 0, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    ],
  });
  await writeSecret(keyFile, pems.private);
  await writeFile(certFile, pems.cert);
  return { cert: pems.cert, key: pems.private, generated: true };
}

export async function ensureTls(dataDir: string, given: { certFile: string; keyFile: string } | null): Promise<TlsCredentials> {
  if (given) {
    const [cert, key] = await Promise.all([readIfExists(given.certFile), readIfExists(given.keyFile)]);
    if (!cert || !key) throw new ConfigError(`TLS certificate or key not found (${given.certFile}, ${given.keyFile}).`);
    try {
      const leaf = firstCertificate(cert);
      return {
        cert, key, generated: false, migrated: false, spkiSha256: spkiHash(leaf), fingerprint256: new X509Certificate(leaf).fingerprint256,
        certFile: given.certFile, authority: null,
      };
    } catch (cause) {
      throw new ConfigError(`${given.certFile} is not a PEM certificate.`, { cause });
    }
  }
  const dir = path.join(dataDir, 'tls');
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const authority = await ensureAuthority(dir);
  const authorityFile = path.join(dir, 'tote-local-ca.crt');
  const certFile = path.join(dir, 'localhost.crt');
  const keyFile = path.join(dir, 'localhost.key');
  const [existingCert, existingKey] = await Promise.all([readIfExists(certFile), readIfExists(keyFile)]);
  const authorityInfo = { certFile: authorityFile, cert: authority.cert, fingerprint256: new X509Certificate(authority.cert).fingerprint256, generated: authority.generated };

  let cert = existingCert;
  let key = existingKey;
  let generated = false;
  if (!cert || !key || !signedBy(cert, authority.cert)) {
    const notBeforeDate = new Date(Date.now() - 60_000);
    const pems = await generate([{ name: 'commonName', value: 'localhost' }], {
      keyType: 'ec', curve: 'P-256', algorithm: 'sha256', notBeforeDate, notAfterDate: new Date(notBeforeDate.getTime() + 825 * DAY),
      ca: { key: authority.key, cert: authority.cert },
      extensions: [
        { name: 'basicConstraints', cA: false, critical: true },
        { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
        { name: 'extKeyUsage', serverAuth: true },
        { name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }, { type: 7, ip: '127.0.0.1' }, { type: 7, ip: '::1' }] },
      ],
    });
    cert = `${firstCertificate(pems.cert).trim()}\n${authority.cert.trim()}\n`;
    key = pems.private;
    await writeSecret(keyFile, key);
    await writeFile(certFile, cert);
    generated = true;
  }
  const leaf = firstCertificate(cert);
  return {
    cert, key, generated, migrated: generated && existingCert !== null,
    spkiSha256: spkiHash(leaf), fingerprint256: new X509Certificate(leaf).fingerprint256, certFile, authority: authorityInfo,
  };
}
