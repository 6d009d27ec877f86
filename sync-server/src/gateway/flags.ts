/**
 * Feature flags (docs/operations.md, "Rollout and rollback"): a new path goes to a share of shoppers,
 * the same shoppers every time, and an admin can take it back at once without losing a change.
 *
 * - Each flag is known to the gateway (`FLAGS`): a name, what it switches and its share when no admin
 *   has set one. Unknown names are refused, so a typo never creates a flag nobody reads.
 * - A shopper is in a flag's share when the first 32 bits of SHA-256(`<flag>:<account name>`), taken
 *   modulo 10 000, fall below share × 100: stable per shopper and flag, independent between flags, and
 *   raising a share only adds shoppers (nobody in at 10 % is out at 20 %).
 * - The shares live in the gateways' shared state (Redis with `REDIS_URL`, else this process, saved with
 *   its sessions). A change is published to every gateway instance; each reloads the shares and tells
 *   every device it holds over the live channel (`{type:"flags"}`), and devices read `GET /_tote/flags`
 *   again. Devices also read them when they connect.
 * - The gateway itself honours `live-docs`: with it off for a shopper, the live channel's `changed`
 *   message carries no documents and devices fetch them with `_changes`, the path from before, which
 *   never stopped running (docs/sync.md, rule 6).
 */
import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AuditLog } from './audit.ts';
import { GatewayError } from './errors.ts';
import type { Session } from './sessions.ts';
import type { SharedState } from './shared-state.ts';

export interface FlagDefinition {
  readonly description: string;
  /** Percentage of shoppers (0-100, two decimals) when no admin has set one. */
  readonly defaultShare: number;
}

export const FLAGS = {
  'live-docs': {
    description: 'Changes travel on the live channel with their documents; off: devices fetch them with _changes.',
    defaultShare: 100,
  },
} as const satisfies Record<string, FlagDefinition>;
export type FlagName = keyof typeof FLAGS;
export const FLAG_NAMES = Object.keys(FLAGS) as FlagName[];

const SHARES_KEY = 'flags:shares';
const FLAGS_CHANNEL = 'flags:changed';
/** The shares are kept as long as the state keeps anything (ten years; set again on every change). */
const KEEP_MS = 10 * 365 * 24 * 3600_000;

const isFlag = (name: string): name is FlagName => Object.hasOwn(FLAGS, name);

/** Whether `account` is in the `share` (percent) of shoppers for `flag`. */
export function inShare(flag: string, account: string, share: number): boolean {
  if (share >= 100) return true;
  if (share <= 0) return false;
  const bucket = createHash('sha256').update(`${flag}:${account}`).digest().readUInt32BE(0) % 10_000;
  return bucket < Math.round(share * 100);
}

/** A share as an admin sends it: a number from 0 to 100 with at most two decimals. */
export function checkShare(value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > 100 || Math.round(value * 100) !== value * 100) {
    throw new GatewayError(400, 'bad_request', 'A share is a percentage from 0 to 100, with at most two decimals.');
  }
  return value;
}

export interface FlagService {
  /** The flags as they stand for one shopper. */
  forAccount(account: string): Record<FlagName, boolean>;
  isOn(flag: FlagName, account: string): boolean;
  /** Every flag with its share, for admins. */
  list(): { name: FlagName; description: string; share: number; defaultShare: number }[];
  set(flag: string, share: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * The flags of this gateway instance: shares read from the shared state at start and again whenever any
 * instance publishes a change; `onChange` runs after each reload (the live channel tells devices).
 */
export async function flagService(state: SharedState, onChange: () => void): Promise<FlagService> {
  let shares: Partial<Record<FlagName, number>> = {};
  const load = async () => {
    const text = await state.get(SHARES_KEY).catch(() => null);
    const parsed: unknown = text ? JSON.parse(text) : {};
    const next: Partial<Record<FlagName, number>> = {};
    if (parsed && typeof parsed === 'object') {
      for (const [name, share] of Object.entries(parsed)) {
        if (isFlag(name) && typeof share === 'number' && share >= 0 && share <= 100) next[name] = share;
      }
    }
    shares = next;
  };
  await load().catch(() => undefined);
  const unsubscribe = await state.subscribe(FLAGS_CHANNEL, () => {
    void load().then(onChange, () => undefined);
  }).catch(() => async () => undefined);
  const shareOf = (flag: FlagName) => shares[flag] ?? FLAGS[flag].defaultShare;
  const isOn = (flag: FlagName, account: string) => inShare(flag, account, shareOf(flag));
  return {
    isOn,
    forAccount: (account) => Object.fromEntries(FLAG_NAMES.map((name) => [name, isOn(name, account)])) as Record<FlagName, boolean>,
    list: () => FLAG_NAMES.map((name) => ({ name, description: FLAGS[name].description, share: shareOf(name), defaultShare: FLAGS[name].defaultShare })),
    async set(flag, share) {
      if (!isFlag(flag)) throw new GatewayError(404, 'not_found', `There is no flag named "${flag}".`);
      await load();
      const next = { ...shares, [flag]: share };
      await state.set(SHARES_KEY, JSON.stringify(next), KEEP_MS);
      shares = next;
      await state.publish(FLAGS_CHANNEL, flag);
    },
    async close() {
      await (await Promise.resolve(unsubscribe))();
    },
  };
}

/** `GET /_tote/flags` (a shopper's or guest's session), `GET /_tote/admin/flags` and `PUT /_tote/admin/flags/:name` (admins). */
export function registerFlags(app: FastifyInstance, options: {
  readonly flags: FlagService;
  readonly audit: AuditLog;
  readonly now: () => number;
  readonly requireSession: (request: FastifyRequest, roles?: readonly ('shopper' | 'support' | 'admin')[]) => Session;
}): void {
  const { flags, audit, now, requireSession } = options;
  app.get('/_tote/flags', async (request, reply) => {
    const session = requireSession(request, ['shopper']);
    return reply.header('cache-control', 'no-store').send({ flags: flags.forAccount(session.name) });
  });
  app.get('/_tote/admin/flags', async (request, reply) => {
    requireSession(request, ['admin']);
    return reply.header('cache-control', 'no-store').send({ flags: flags.list() });
  });
  app.put<{ Params: { name: string } }>('/_tote/admin/flags/:name', async (request, reply) => {
    const staff = requireSession(request, ['admin']);
    const body = request.body;
    const share = checkShare(body && typeof body === 'object' ? (body as { share?: unknown }).share : undefined);
    await flags.set(request.params.name, share);
    audit.append({ at: now(), actor: staff.name, role: staff.role, device: staff.device, action: 'admin.flag-set', target: request.params.name, detail: { share } });
    return reply.header('cache-control', 'no-store').send({ flags: flags.list() });
  });
}
