/**
 * Trust in a sync server's certificate by pinning, for the main process's `setCertificateVerifyProc`
 * (https://www.electronjs.org/docs/latest/api/session#sessetcertificateverifyprocproc).
 *
 * Rules (docs/desktop.md, "Trusting the sync server"):
 * 1. A certificate Chromium already trusts (a real one, or a local authority the shopper trusted) is left
 *    to Chromium's verdict: pins never weaken normal verification.
 * 2. Otherwise the certificate's SHA-256 fingerprint (the one `npm start` prints) is compared with the pin
 *    kept for that host name: the same fingerprint is accepted, any other refused.
 * 3. A host with no pin: the shopper is shown the fingerprint and asked; only a yes stores the pin.
 *    Nothing is ever accepted without a pin, and verification is never switched off.
 *
 * Pure Node (no Electron): tested in certificate-pins.test.ts.
 */
import { X509Certificate } from 'node:crypto';
import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** What setCertificateVerifyProc's request carries that the decision needs. */
export interface CertificateCheck {
  readonly hostname: string;
  /** The leaf certificate, PEM (Electron's `certificate.data`). */
  readonly certificatePem: string;
  /** Chromium's own verdict: `net::OK` when it trusts the certificate. */
  readonly verificationResult: string;
}

export type CertificateDecision =
  /** Chromium trusts it: callback(-3), Chromium's verdict stands. */
  | { readonly kind: 'chromium' }
  /** Pinned and matching: callback(0). */
  | { readonly kind: 'pinned' }
  /** Pinned to another certificate: callback(-2); the shopper is told the certificate changed. */
  | { readonly kind: 'changed'; readonly fingerprint: string; readonly pinned: string }
  /** Not pinned: ask the shopper, showing the fingerprint; refuse until they say yes. */
  | { readonly kind: 'ask'; readonly fingerprint: string }
  /** Not a certificate at all: callback(-2). */
  | { readonly kind: 'refuse' };

/** Host name to fingerprint (`AB:CD:…`, SHA-256 of the certificate, as `openssl x509 -fingerprint -sha256` prints it). */
export type Pins = Readonly<Record<string, string>>;

/** The SHA-256 fingerprint of a PEM certificate, in the form `npm start` prints. */
export function certificateFingerprint(pem: string): string {
  return new X509Certificate(pem).fingerprint256;
}

export function normaliseFingerprint(text: string): string {
  return text.replace(/[^0-9a-f]/gi, '').toUpperCase().replace(/(..)(?=.)/g, '$1:');
}

export function decideCertificate(check: CertificateCheck, pins: Pins): CertificateDecision {
  if (check.verificationResult === 'net::OK') return { kind: 'chromium' };
  let fingerprint: string;
  try {
    fingerprint = certificateFingerprint(check.certificatePem);
  } catch {
    return { kind: 'refuse' };
  }
  const pinned = Object.hasOwn(pins, check.hostname.toLowerCase()) ? pins[check.hostname.toLowerCase()] : undefined;
  if (pinned === undefined) return { kind: 'ask', fingerprint };
  return normaliseFingerprint(pinned) === fingerprint ? { kind: 'pinned' } : { kind: 'changed', fingerprint, pinned };
}

export function withPin(pins: Pins, hostname: string, fingerprint: string): Pins {
  return { ...pins, [hostname.toLowerCase()]: normaliseFingerprint(fingerprint) };
}

/** The pins, kept as JSON in the app's data folder (0600); a missing or damaged file is no pins. */
export function certificatePinStore(file: string) {
  return {
    async load(): Promise<Pins> {
      try {
        const parsed: unknown = JSON.parse(await readFile(file, 'utf8'));
        if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return {};
        return Object.fromEntries(Object.entries(parsed).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
      } catch {
        return {};
      }
    },
    async save(pins: Pins): Promise<void> {
      await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
      const next = `${file}.next`;
      await writeFile(next, `${JSON.stringify(pins, null, 2)}\n`, { mode: 0o600 });
      await chmod(next, 0o600);
      await rename(next, file);
    },
  };
}

/** The question shown for an unpinned server (main.ts shows it as a native dialog). */
export function trustQuestion(hostname: string, fingerprint: string) {
  return {
    message: `Trust the sync server at ${hostname}?`,
    detail: `Its certificate is not signed by an authority this computer trusts. Compare its SHA-256 fingerprint with the one the sync server printed when it started (npm start):\n\n${fingerprint}\n\nTrust it only if they match. Tote will then accept this certificate, and only this one, from ${hostname}.`,
    buttons: ['Cancel', 'Trust this server'],
    trustButton: 1,
  } as const;
}

export function changedWarning(hostname: string, fingerprint: string, pinned: string, pinFile: string) {
  return {
    message: `The sync server at ${hostname} shows a different certificate`,
    detail: `Tote trusts ${hostname} with the certificate\n${pinned}\nbut it now shows\n${fingerprint}\n\nTote will not connect. If the server's certificate was replaced on purpose, remove ${hostname} from ${pinFile} and connect again; otherwise someone may be intercepting the connection.`,
  } as const;
}
