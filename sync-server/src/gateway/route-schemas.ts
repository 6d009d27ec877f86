/**
 * The gateway's own routes (`/_tote/*`) described as JSON Schema, for the OpenAPI document admins read at
 * `GET /_tote/admin/openapi.json` (openapi.ts; docs/sync-server.md, "API documentation").
 *
 * They document; they do not decide. Every handler already reads its input once with its own checks
 * (`checkName`, `checkBatch`, …), which give the typed errors shoppers see (`{error, reason}` with words
 * a person can act on) and which the hostile and fuzz suites hold to. So the gateway compiles no
 * validator and no serializer from these schemas (gateway.ts): adding or changing a schema here changes
 * nothing a route accepts or answers. Keys are `<METHOD> <url>` as the route is declared.
 */
import { TIMED_OPERATIONS } from '@tote/core/latency-monitor';
import { ANALYTICS_DB, EVENT_KINDS, K_ANONYMITY, SHOP_COUNTS, SOURCES } from './analytics-routes.ts';

type Schema = Record<string, unknown>;

const str = (description: string, extra: Schema = {}): Schema => ({ type: 'string', description, ...extra });
const int = (description: string, extra: Schema = {}): Schema => ({ type: 'integer', description, ...extra });
const bool = (description: string): Schema => ({ type: 'boolean', description });
const obj = (properties: Record<string, Schema>, required: string[] = [], extra: Schema = {}): Schema => ({ type: 'object', properties, ...(required.length ? { required } : {}), ...extra });
const counts = (keys: readonly string[], description: string): Schema =>
  obj(Object.fromEntries(keys.map((key) => [key, int(key, { minimum: 0 })])), [], { description, additionalProperties: false });

const error = (description: string): Schema => ({
  description, type: 'object', required: ['error', 'reason'],
  properties: { error: str('A stable code: bad_request, unauthorized, forbidden, not_found, conflict, too_large, too_many_requests, unavailable, …'), reason: str('What happened and what to do, in words for a person.') },
});
const errors = (...statuses: number[]): Record<string, Schema> => {
  const text: Record<number, string> = {
    400: 'The input was refused; `reason` names what to change. Nothing was changed.',
    401: 'No session, or it ended: sign in (`POST /_tote/login`).',
    403: 'This account may not do this.',
    404: 'Not found.',
    405: 'This method is not served here.',
    409: 'Conflicts with what is stored.',
    413: 'The body is too large.',
    429: 'A request or sign-in limit: wait for `Retry-After` seconds.',
    503: 'CouchDB or the shared state does not answer: try again after `Retry-After` seconds.',
  };
  return Object.fromEntries(statuses.map((status) => [String(status), error(text[status]!)]));
};
const COMMON = [401, 429, 503];
const noContent = { description: 'Done.', type: 'null' };

const sessionSchema = obj({
  id: str('The session\'s id (for `DELETE /_tote/sessions/{id}`).'), name: str('The account.'), role: str('shopper, support or admin', { enum: ['shopper', 'support', 'admin'] }),
  guest: bool('A guest cart.'), dbName: { type: ['string', 'null'], description: 'The cart database (null for support and admin accounts).' },
  device: str('What the device called itself at sign-in.'), createdAt: int('ms since 1970'), renewedAt: int('ms since 1970'), expiresAt: int('ms since 1970'), timeoutMs: int('The sliding timeout.'),
});
const accountSchema = obj({
  name: str('The account\'s name (canonical: trimmed, lower case).'), role: str('shopper, support or admin'), guest: bool('A guest cart.'),
  dbName: { type: ['string', 'null'] }, sessionTimeoutMinutes: int('15 to 120.'),
});
const signedIn = (description: string): Schema => ({ ...obj({ token: str('The bearer token: `Authorization: Bearer <token>` on every later request.'), session: sessionSchema, account: accountSchema }, ['token', 'session', 'account']), description });
const nameField = str('A user name or email address: 3 to 128 characters, no spaces or ":", not starting with "_" or "guest-".', { maxLength: 1024 });
const secretField = str('With `auth: "derived-v1"` the auth secret derived on the device (43 characters of base64url); otherwise the password (8 to 1024 characters).');
const authField = str('Which secret `password` is: the password itself (default) or the device-derived auth secret.', { enum: ['password', 'derived-v1'] });
const deviceField = str('What the device calls itself ("Chrome on Linux"); else the `x-tote-device` header or the user agent.');
const proofField = str('The recovery proof: 32 bytes in base64url (43 characters).', { minLength: 43, maxLength: 43 });
const keyringField = { type: 'object', description: 'The wrapped data key (docs/encryption.md), at most 8 KB of JSON; the server never reads inside it.', additionalProperties: true };
const anyMethod = 'Other methods answer 405.';

const aggregate = obj({
  day: str('The device\'s UTC day (YYYY-MM-DD): within a year back and two days ahead.', { format: 'date' }),
  counts: counts(EVENT_KINDS, 'Events of the day, per kind.'),
  sources: counts(SOURCES, 'Adds of the day, per source.'),
  shops: { type: 'object', description: 'Per shop, by host name only (at most 50).', additionalProperties: counts(SHOP_COUNTS, 'The shop\'s figures.') },
  latency: {
    type: 'object', description: 'How long the device\'s cart operations took that day: per operation, an hdr-histogram-js compressed base64 histogram of microseconds (at most 2048 characters).',
    properties: Object.fromEntries(TIMED_OPERATIONS.map((operation) => [operation, { type: 'string', maxLength: 2048 }])), additionalProperties: false,
  },
}, ['day', 'counts', 'sources', 'shops'], { additionalProperties: false });

const summary = obj({
  from: str('First day.', { format: 'date' }), to: str('Last day.', { format: 'date' }), kAnonymity: int(`Shops are shown only with events from at least this many shoppers (${K_ANONYMITY}).`),
  funnel: { type: 'array', items: obj({ step: str('recognised, added, checkout, bought'), count: int('Events.') }) },
  counts: { type: 'object', additionalProperties: { type: 'integer' }, description: 'Events per kind: every kind devices send (new kinds appear here as they are added).' },
  abandonment: obj({ after7Days: { type: ['number', 'null'] }, after30Days: { type: ['number', 'null'] } }, [], { description: 'Items abandoned per item added; null when nothing was added.' }),
  active: obj({ devices: int('Devices with any event in the range.'), shoppers: int('Shoppers with any event in the range.') }),
  addsBySource: { type: 'object', additionalProperties: { type: 'integer' } },
  days: { type: 'array', items: obj({ day: str('YYYY-MM-DD'), added: int(''), checkout: int(''), bought: int(''), removed: int(''), devices: int(''), shoppers: int('') }) },
  topShops: { type: 'array', description: `At most 20 shops, only those with events from at least ${K_ANONYMITY} distinct shoppers in the range.`, items: obj({ shop: str('Host name.'), shoppers: int(''), added: int(''), checkout: int(''), bought: int('') }) },
  latency: {
    type: 'array', description: 'Per operation, every device\'s histograms of the range added: times in ms, null when none was timed.',
    items: obj({ operation: str('add, edit, move, remove, bulk, list, import, load, sync or capture'), figures: { type: ['object', 'null'], properties: { count: int(''), p50: { type: 'number' }, p95: { type: 'number' }, p99: { type: 'number' }, max: { type: 'number' } } } }),
  },
});

const latencyRow = obj({ route: str('Route kind (docs/operations.md).'), count: int('Requests.'), failed: int('Answered 5xx.'), meanMs: { type: 'number' }, p50Ms: { type: ['number', 'null'] }, p95Ms: { type: ['number', 'null'] } });
const countsByName = { type: 'object', additionalProperties: { type: 'number' } };

export const ROUTE_SCHEMAS: Readonly<Record<string, Schema>> = {
  'POST /_tote/signup': {
    tags: ['accounts'], summary: 'Create a shopper account and sign in',
    body: obj({ name: nameField, password: secretField, auth: authField, device: deviceField }, ['name', 'password']),
    response: { 201: signedIn('Signed up and signed in.'), ...errors(400, 409, 429, 503) },
  },
  'POST /_tote/login': {
    tags: ['accounts'], summary: 'Sign in (shoppers, support and admins)',
    body: obj({ name: str('The account\'s name.', { maxLength: 1024 }), password: secretField, device: deviceField }, ['name', 'password']),
    response: { 200: signedIn('Signed in.'), ...errors(400, 401, 429, 503) },
  },
  'POST /_tote/prelogin': {
    tags: ['accounts'], summary: 'Which secret a device sends to sign in',
    body: obj({ name: str('The account\'s name.', { maxLength: 1024 }) }, ['name']),
    response: { 200: obj({ auth: authField }, ['auth']), ...errors(400, 429, 503) },
  },
  'POST /_tote/guest': {
    tags: ['accounts'], summary: 'Start a guest cart (no account name)',
    body: obj({ device: deviceField }),
    response: { 201: { ...signedIn('A guest account, signed in.'), properties: { ...(signedIn('').properties as Schema), secret: str('The guest\'s secret, to sign in again.') } }, ...errors(429, 503) },
  },
  'DELETE /_tote/guest': {
    tags: ['accounts'], summary: 'Remove this guest account and its cart (after merging it into an account)',
    response: { 204: noContent, ...errors(403, ...COMMON) },
  },
  'GET /_tote/session': {
    tags: ['sessions'], summary: 'This session and its account',
    response: { 200: obj({ session: sessionSchema, account: accountSchema }), ...errors(...COMMON) },
  },
  'POST /_tote/session/renew': {
    tags: ['sessions'], summary: 'Slide this session\'s expiry (the shopper is active)',
    response: { 200: obj({ session: sessionSchema }), ...errors(...COMMON) },
  },
  'POST /_tote/logout': { tags: ['sessions'], summary: 'End this session', response: { 204: noContent, ...errors(...COMMON) } },
  'GET /_tote/sessions': {
    tags: ['sessions'], summary: 'The account\'s live sessions (its devices)',
    response: { 200: obj({ current: str('This session\'s id.'), sessions: { type: 'array', items: sessionSchema } }), ...errors(...COMMON) },
  },
  'DELETE /_tote/sessions/:id': {
    tags: ['sessions'], summary: 'End one of the account\'s sessions (sign a device out)',
    params: obj({ id: str('The session\'s id.') }, ['id']),
    response: { 204: noContent, ...errors(404, ...COMMON) },
  },
  'POST /_tote/password': {
    tags: ['accounts'], summary: 'Change the password (other sessions end)',
    body: obj({ oldPassword: str('The current password or auth secret.'), newPassword: secretField, auth: authField, keyring: keyringField, recoveryProof: proofField }, ['oldPassword', 'newPassword']),
    response: { 204: noContent, ...errors(400, 403, 413, ...COMMON) },
  },
  'GET,PUT,POST,DELETE,PATCH /_tote/keyring': {
    tags: ['keys'], summary: 'The account\'s wrapped data key: read (GET) or create once (PUT)', description: anyMethod,
    body: obj({ keyring: keyringField, recoveryProof: proofField }, ['keyring']),
    response: { 200: obj({ keyring: { ...keyringField, type: ['object', 'null'] } }), 201: obj({ ok: bool('Stored.') }), ...errors(400, 403, 405, 409, 413, ...COMMON) },
  },
  'GET,PUT,POST,DELETE,PATCH /_tote/recover/keyring': {
    tags: ['keys'], summary: 'The wrapped data key for a recovery key (POST, no session)', description: anyMethod,
    body: obj({ name: str('The account\'s name.', { maxLength: 1024 }), recoveryProof: proofField, device: deviceField }, ['name', 'recoveryProof']),
    response: { 200: obj({ keyring: keyringField }), ...errors(400, 403, 405, 409, 429, 503) },
  },
  'GET,PUT,POST,DELETE,PATCH /_tote/recover': {
    tags: ['keys'], summary: 'Set a new password with the recovery key (POST, no session); every session ends', description: anyMethod,
    body: obj({ name: str('The account\'s name.', { maxLength: 1024 }), recoveryProof: proofField, newPassword: secretField, auth: authField, keyring: keyringField, device: deviceField }, ['name', 'recoveryProof', 'newPassword', 'keyring']),
    response: { 200: signedIn('Password set; signed in.'), ...errors(400, 403, 405, 409, 413, 429, 503) },
  },
  'PATCH /_tote/account': {
    tags: ['accounts'], summary: 'Account settings',
    body: obj({ sessionTimeoutMinutes: int('Whole minutes, 15 to 120.', { minimum: 15, maximum: 120 }) }, ['sessionTimeoutMinutes']),
    response: { 200: obj({ account: accountSchema }), ...errors(400, ...COMMON) },
  },
  'GET /_tote/support/shoppers/:name': {
    tags: ['support'], summary: 'A shopper\'s account for support (never cart contents); audited',
    params: obj({ name: str('The shopper\'s name.') }, ['name']),
    response: {
      200: obj({ name: str(''), guest: bool(''), createdAt: int(''), lastActiveAt: { type: ['integer', 'null'] }, documents: { type: ['integer', 'null'] }, devices: { type: 'array', items: obj({ device: str(''), createdAt: int(''), renewedAt: int('') }) } }),
      ...errors(403, 404, ...COMMON),
    },
  },
  'GET /_tote/admin/audit': {
    tags: ['admin'], summary: 'The audit log, newest first; audited',
    querystring: obj({ limit: int('Entries, 1 to 1000 (100 by default).', { minimum: 1, maximum: 1000 }), actor: str('Only this actor.'), action: str('Only this action (e.g. signin.failed).') }),
    response: { 200: obj({ entries: { type: 'array', items: { type: 'object', additionalProperties: true } } }), ...errors(403, ...COMMON) },
  },
  'POST /_tote/admin/accounts': {
    tags: ['admin'], summary: 'Create a shopper, support or admin account; audited',
    body: obj({ name: nameField, password: str('8 to 1024 characters.', { minLength: 8, maxLength: 1024 }), role: str('', { enum: ['shopper', 'support', 'admin'] }) }, ['name', 'password', 'role']),
    response: { 201: obj({ account: obj({ name: str(''), role: str('') }) }), ...errors(400, 403, 409, ...COMMON) },
  },
  'GET /_tote/flags': {
    tags: ['sync'], summary: 'The feature flags as they stand for this shopper',
    description: 'Read by devices when they connect and on every `flags` message of the live channel (docs/operations.md, "Rollout and rollback").',
    response: { 200: obj({ flags: obj({ 'live-docs': bool('Changes travel on the live channel with their documents; off: devices fetch them with `_changes`.') }, [], { additionalProperties: { type: 'boolean' } }) }), ...errors(403, ...COMMON) },
  },
  'GET /_tote/admin/flags': {
    tags: ['admin'], summary: 'Every feature flag with its share of shoppers',
    response: { 200: obj({ flags: { type: 'array', items: obj({ name: str('The flag.'), description: str('What it switches.'), share: { type: 'number', description: 'Percentage of shoppers it is on for.' }, defaultShare: { type: 'number', description: 'The share when no admin has set one.' } }) } }), ...errors(403, ...COMMON) },
  },
  'PUT /_tote/admin/flags/:name': {
    tags: ['admin'], summary: 'Set a flag\'s share of shoppers; every device is told; audited',
    params: obj({ name: str('The flag, e.g. live-docs.') }, ['name']),
    body: obj({ share: { type: 'number', minimum: 0, maximum: 100, multipleOf: 0.01, description: 'Percentage of shoppers, two decimals at most; the same shoppers each time.' } }, ['share']),
    response: { 200: obj({ flags: { type: 'array', items: { type: 'object', additionalProperties: true } } }), ...errors(400, 403, 404, ...COMMON) },
  },
  'GET /_tote/live': {
    tags: ['sync'], summary: 'The live channel (WebSocket upgrade)',
    description: 'Upgrade to a WebSocket; the first message is `{"type":"hello","token":"<token>"}` (docs/sync-server.md, "Live channel"). Another Origin than the admitted ones gets 403.',
    response: { 101: { description: 'Switching to the WebSocket protocol.', type: 'null' }, 404: { description: 'Not a WebSocket upgrade.', type: 'null' }, ...errors(403, 429) },
  },
  'GET /_tote/metrics': {
    tags: ['operations'], summary: 'Prometheus metrics (the scrape token, or an admin\'s session)',
    description: 'Prometheus text format (`text/plain; version=0.0.4`); every metric: docs/operations.md.',
    response: { 200: { description: 'Prometheus text format.', type: 'string' }, ...errors(401, 403) },
  },
  'GET /_tote/health': {
    tags: ['operations'], summary: 'Liveness: 200 whenever the process answers',
    response: { 200: obj({ status: str('', { enum: ['ok'] }) }) },
  },
  'GET /_tote/ready': {
    tags: ['operations'], summary: 'Readiness: CouchDB (and Redis, when configured) answer',
    response: {
      200: obj({ status: str('', { enum: ['ready'] }), dependencies: { type: 'object', additionalProperties: { type: 'string', enum: ['up', 'down'] } } }),
      503: { ...error('A dependency does not answer; `Retry-After: 5`.'), properties: { ...(error('').properties as Schema), status: str(''), dependencies: { type: 'object', additionalProperties: { type: 'string' } } } },
    },
  },
  'POST /_tote/analytics': {
    tags: ['analytics'], summary: 'A device\'s daily usage aggregates (with the shopper\'s consent)',
    description: `Upserted per shopper, device and day into \`${ANALYTICS_DB}\` (docs/analytics.md): a resend never counts twice. At most 256 KB and 62 days (operation times, \`latency\`: per known operation an hdr-histogram-js compressed histogram of at most 2048 characters, on at most 8 days); anything else is refused whole with 400 \`invalid_aggregate\`.`,
    body: obj({ device: str('The device\'s id: 1 to 64 of A-Z, a-z, 0-9, _ and -.', { pattern: '^[A-Za-z0-9_-]{1,64}$' }), days: { type: 'array', minItems: 1, maxItems: 62, items: aggregate } }, ['device', 'days'], { additionalProperties: false }),
    response: { 200: obj({ ok: bool(''), days: int('Days stored.') }), ...errors(400, 403, 409, 413, ...COMMON) },
  },
  'GET /_tote/admin/analytics': {
    tags: ['admin', 'analytics'], summary: 'The usage summary of a range of days (JSON or CSV); audited',
    querystring: obj({
      from: str('First day; 29 days before `to` by default.', { format: 'date' }), to: str('Last day; today by default.', { format: 'date' }),
      format: str('json (default) or csv: one `section,name,value` row per figure.', { enum: ['json', 'csv'] }),
    }),
    response: { 200: summary, ...errors(400, 403, ...COMMON) },
  },
  'GET /_tote/admin': { tags: ['admin'], summary: 'Redirects to the admin dashboard (`/_tote/admin/`)', response: { 308: { description: 'To `/_tote/admin/`.', type: 'null' } } },
  'GET /_tote/admin/': {
    tags: ['admin'], summary: 'The admin dashboard (an HTML page; its figures need an admin\'s sign-in)',
    response: { 200: { description: 'The page.', type: 'string' }, 503: { description: 'The dashboard is not built: run `npm run build`.', type: 'string' } },
  },
  'GET /_tote/admin/assets/:file': {
    tags: ['admin'], summary: 'A hashed file of the admin dashboard (cached as immutable)',
    params: obj({ file: str('As the build named it.') }, ['file']),
    response: { 200: { description: 'The file.', type: 'string' }, ...errors(404) },
  },
  'GET /_tote/admin/metrics': {
    tags: ['admin', 'operations'], summary: 'The gateway\'s metrics as JSON, for the dashboard\'s charts',
    response: {
      200: obj({
        at: int('ms since 1970'), requests: { type: 'array', items: latencyRow }, couch: { type: 'array', items: latencyRow }, liveConnections: int(''), activeSessions: int(''),
        errors: countsByName, rateLimited: countsByName, couchErrors: countsByName, dependencies: { type: 'object', additionalProperties: { type: 'string', enum: ['up', 'down'] } }, liveLagP95Ms: { type: ['number', 'null'] },
      }),
      ...errors(403, ...COMMON),
    },
  },
  'GET /_tote/admin/openapi.json': {
    tags: ['admin'], summary: 'This document: the OpenAPI 3 description of the gateway\'s own routes',
    response: { 200: { description: 'OpenAPI 3.0 JSON.', type: 'object', additionalProperties: true }, ...errors(403, ...COMMON) },
  },
};

/** The documented schema of a route as declared, or undefined. */
export function routeSchema(method: string | readonly string[], url: string): Schema | undefined {
  const methods = typeof method === 'string' ? method : method.join(',');
  return ROUTE_SCHEMAS[`${methods} ${url}`];
}
