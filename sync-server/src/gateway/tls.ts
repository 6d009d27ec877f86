/**
 * The gateway's certificate: given by configuration (a real certificate and key), or a self-signed one
 * generated on first start for local use and kept in `<dataDir>/tls/` (key 0600).
 */
import { createHash, X509Certificate } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { generate } from 'selfsigned';
import { ConfigError } from '../config.ts';

export interface TlsCredentials {
  readonly cert: string;
  readonly key: string;
  /** True when generated just now. */
  readonly generated: boolean;
  /** base64 SHA-256 of the certificate's public key (what Chromium's --ignore-certificate-errors-spki-list takes). */
  readonly spkiSha256: string;
  /** Where the certificate file is (to trust it: NODE_EXTRA_CA_CERTS, a browser's certificate settings). */
  readonly certFile: string;
}

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

export async function ensureTls(dataDir: string, given: { certFile: string; keyFile: string } | null): Promise<TlsCredentials> {
  if (given) {
    const [cert, key] = await Promise.all([readIfExists(given.certFile), readIfExists(given.keyFile)]);
    if (!cert || !key) throw new ConfigError(`TLS certificate or key not found (${given.certFile}, ${given.keyFile}).`);
    try {
      return { cert, key, generated: false, spkiSha256: spkiHash(cert), certFile: given.certFile };
    } catch (cause) {
      throw new ConfigError(`${given.certFile} is not a PEM certificate.`, { cause });
    }
  }
  const dir = path.join(dataDir, 'tls');
  const certFile = path.join(dir, 'localhost.crt');
  const keyFile = path.join(dir, 'localhost.key');
  const [cert, key] = await Promise.all([readIfExists(certFile), readIfExists(keyFile)]);
  if (cert && key) return { cert, key, generated: false, spkiSha256: spkiHash(cert), certFile };

  const notBeforeDate = new Date(Date.now() - 60_000);
  const notAfterDate = new Date(notBeforeDate.getTime() + 825 * 24 * 3600_000);
  const pems = await generate([{ name: 'commonName', value: 'localhost' }], {
    keyType: 'ec', curve: 'P-256', algorithm: 'sha256', notBeforeDate, notAfterDate,
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }, { type: 7, ip: '127.0.0.1' }, { type: 7, ip: '::1' }] },
    ],
  });
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await writeFile(keyFile, pems.private, { mode: 0o600 });
  await chmod(keyFile, 0o600);
  await writeFile(certFile, pems.cert);
  return { cert: pems.cert, key: pems.private, generated: true, spkiSha256: spkiHash(pems.cert), certFile };
}
