/**
 * The trust page: a small plain-HTTP listener, on loopback only, next to the gateway (its port + 1 by
 * default). It never serves the API. It answers three things (docs/sync-server.md, "The trust page"):
 *
 * - `GET /`: a page that explains, in a browser, how to trust the local certificate authority on this
 *   computer, with the exact commands and the fingerprints;
 * - `GET /tote-local-ca.crt`: the authority's certificate (public; never its key);
 * - `GET /probe`: `{ tote, gateway, originAdmitted }` to any origin, so an app whose HTTPS request to the
 *   gateway failed can tell a certificate problem (this page answers, the gateway's TLS did not) from a
 *   refused origin (`originAdmitted: false`) and an unreachable server (nothing answers).
 *
 * Plain HTTP is safe here because it is bound to loopback and carries nothing secret; the certificate it
 * hands out is checked by its fingerprint, which `npm start` prints on the terminal.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { originAllowed } from './origins.ts';
import { trustCommands } from './trust-commands.ts';
import type { TlsCredentials } from './tls.ts';

export interface TrustPageOptions {
  readonly port: number;
  readonly gatewayUrl: string;
  readonly tls: TlsCredentials;
  readonly origins: readonly string[];
}

export interface TrustPage {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/** What `GET /probe` answers (and what an app's connection diagnosis reads: core's connection-diagnosis.ts). */
export interface TrustProbe {
  readonly tote: 'sync-server';
  readonly gateway: string;
  readonly originAdmitted: boolean;
  readonly certificateFingerprint: string;
  readonly authorityFingerprint: string | null;
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(options: TrustPageOptions): string {
  const { tls, gatewayUrl } = options;
  const authority = tls.authority;
  const steps = authority
    ? trustCommands(authority.certFile).map((group) => `<h2>${escapeHtml(group.platform)}</h2><pre>${escapeHtml(group.commands.join('\n'))}</pre>${group.note ? `<p>${escapeHtml(group.note)}</p>` : ''}`).join('\n')
    : '<p>This server uses a certificate given by its operator (TOTE_TLS_CERT). If your browser does not trust it, ask the operator which authority signed it.</p>';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Trust this Tote sync server</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem}pre{background:#f3f3f3;padding:.75rem;overflow-x:auto}code{word-break:break-all}</style>
</head><body>
<h1>Trust this Tote sync server</h1>
<p>The sync server runs at <code>${escapeHtml(gatewayUrl)}</code>, over HTTPS only. Its certificate is signed by an
authority made on this computer the first time the server started. Until your browser or system trusts that
authority, the Tote extension and desktop app cannot connect and say that the certificate is not trusted.</p>
${authority ? `<p><a href="/tote-local-ca.crt" download>Download the authority's certificate</a> (tote-local-ca.crt). Check that its SHA-256 fingerprint is the one the server printed in its terminal:</p>
<p><code data-testid="authority-fingerprint">${escapeHtml(authority.fingerprint256)}</code></p>` : ''}
<p>The server's own certificate has the SHA-256 fingerprint <code data-testid="certificate-fingerprint">${escapeHtml(tls.fingerprint256)}</code>. The desktop app shows it the first
time it connects and, if you confirm it, trusts that certificate only (it does not need the authority).</p>
${steps}
<p>Then restart the browser, open the extension's popup or the desktop app, enter <code>${escapeHtml(gatewayUrl)}</code> and sign in.</p>
<p>This page is plain HTTP on this computer only (loopback) and serves nothing else: never the sync API.</p>
</body></html>`;
}

export async function startTrustPage(options: TrustPageOptions): Promise<TrustPage> {
  const html = page(options);
  const server = http.createServer((request, response) => {
    const headers = { 'cache-control': 'no-store', 'x-content-type-options': 'nosniff', 'referrer-policy': 'no-referrer' };
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { ...headers, allow: 'GET, HEAD' }).end();
      return;
    }
    const pathname = (request.url ?? '/').split('?')[0];
    if (pathname === '/') {
      response.writeHead(200, {
        ...headers, 'content-type': 'text/html; charset=utf-8',
        'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
      }).end(html);
    } else if (pathname === '/tote-local-ca.crt' && options.tls.authority) {
      response.writeHead(200, { ...headers, 'content-type': 'application/x-x509-ca-cert', 'content-disposition': 'attachment; filename="tote-local-ca.crt"' })
        .end(options.tls.authority.cert);
    } else if (pathname === '/probe') {
      const origin = request.headers.origin;
      const probe: TrustProbe = {
        tote: 'sync-server', gateway: options.gatewayUrl,
        originAdmitted: origin === undefined || originAllowed(origin, options.origins),
        certificateFingerprint: options.tls.fingerprint256, authorityFingerprint: options.tls.authority?.fingerprint256 ?? null,
      };
      // Any origin may read it: it is how an app learns why the gateway refused it.
      response.writeHead(200, { ...headers, 'content-type': 'application/json', 'access-control-allow-origin': '*' }).end(JSON.stringify(probe));
    } else {
      response.writeHead(404, { ...headers, 'content-type': 'text/plain; charset=utf-8' }).end('Not found. This page only explains how to trust the sync server; the sync server itself is at ' + options.gatewayUrl);
    }
  });
  server.requestTimeout = 10_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    // Loopback only, whatever the gateway listens on.
    server.listen(options.port, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://localhost:${port}`,
    port,
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}
