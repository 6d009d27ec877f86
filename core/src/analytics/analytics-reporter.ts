/**
 * The device's side of shared analytics (docs/analytics.md): consent, the queue of days not yet sent,
 * and the send. Nothing leaves the device until the shopper says yes; turning it off stops sending at
 * once and forgets what waited.
 *
 * With consent, `report()` derives the events from the history this device holds (analytics-events.ts),
 * makes this device's daily aggregates (daily-aggregate.ts) and sends every day whose numbers the server
 * has not acknowledged yet, as one batch. A day is an upsert on the server keyed by device and day, so a
 * resend (a lost answer, a restart before the acknowledgement was saved) replaces, never adds. A day that
 * could not be sent (offline, server away) stays due and goes with the next report, however many days
 * later. Only days from the day consent was given are sent.
 */
import { BehaviorSubject, type Observable } from 'rxjs';
import type { CartItem } from '../cart/cart-types.ts';
import { ToteError } from '../errors.ts';
import type { HistoryEntry } from '../history/history-entry.ts';
import { randomId, systemClock, type Clock, type FetchPort, type IdFactory } from '../ports.ts';
import { deriveEvents, SHOP_SIGNAL_KINDS, shopKey, type ShopSignal } from './analytics-events.ts';
import { LATENCY_DAYS_KEPT, MAX_LATENCY_CHARS, type DayLatency } from '../monitoring/latency-monitor.ts';
import { dailyAggregates, dayOf, emptyAggregate, mergeAggregates, sameAggregate, type DailyAggregate } from './daily-aggregate.ts';

/** What the device keeps about analytics (the shell stores it as it is, as JSON). */
export interface AnalyticsLocalState {
  /** The day consent was given (YYYY-MM-DD), or null: off. Off until the shopper turns it on. */
  readonly consentSince: string | null;
  /** The days the server acknowledged, as sent. */
  readonly sent: Readonly<Record<string, DailyAggregate>>;
  /** What the shop pages showed this device (analytics-events.ts), newest last. */
  readonly signals: readonly ShopSignal[];
}

/** Where the shell keeps the state: the extension's `storage.local`, the desktop's `localStorage`, memory in tests. */
export interface AnalyticsStoragePort {
  load(): Promise<unknown>;
  save(state: AnalyticsLocalState): Promise<void>;
}

export function memoryAnalyticsStorage(): AnalyticsStoragePort & { value: unknown } {
  const port = {
    value: null as unknown,
    load: async () => structuredClone(port.value),
    save: async (state: AnalyticsLocalState) => {
      port.value = structuredClone(state);
    },
  };
  return port;
}

/** One send: this device's days. */
export interface AnalyticsBatch {
  readonly device: string;
  readonly days: readonly DailyAggregate[];
}

/** Sends a batch; rejects with a ToteError when it was not stored (then it is sent again later). */
export type AnalyticsTransport = (batch: AnalyticsBatch) => Promise<void>;

/** Signals kept at most (the oldest go first): a year of a busy shopper's pages. */
const MAX_SIGNALS = 5_000;
/**
 * A checkout or order confirmation of a shop seen again this soon is the same visit (the steps of one
 * checkout, a reloaded thank-you page): recorded once.
 */
export const SIGNAL_REPEAT_MS = 60 * 60 * 1000;
/** Days in one batch at most (the server's limit): a longer queue goes over several reports. */
export const MAX_DAYS_PER_BATCH = 62;

const EMPTY: AnalyticsLocalState = Object.freeze({ consentSince: null, sent: Object.freeze({}), signals: Object.freeze([]) });

function isSignal(value: unknown): value is ShopSignal {
  if (typeof value !== 'object' || value === null) return false;
  const signal = value as Record<string, unknown>;
  return typeof signal.id === 'string' && (SHOP_SIGNAL_KINDS as readonly unknown[]).includes(signal.kind) && Number.isSafeInteger(signal.at)
    && typeof signal.device === 'string' && typeof signal.shop === 'string';
}

function readState(value: unknown): AnalyticsLocalState {
  if (typeof value !== 'object' || value === null) return EMPTY;
  const state = value as Partial<AnalyticsLocalState>;
  return {
    consentSince: typeof state.consentSince === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(state.consentSince) ? state.consentSince : null,
    sent: typeof state.sent === 'object' && state.sent !== null ? state.sent : {},
    // Signals of a kind this version does not know (or damaged) are left out.
    signals: Array.isArray(state.signals) ? state.signals.filter(isSignal) : [],
  };
}

export interface AnalyticsReporterOptions {
  readonly deviceId: string;
  readonly storage: AnalyticsStoragePort;
  /** What the device holds now: every history entry and every item (the client's history and store). */
  readonly read: () => Promise<{ readonly entries: readonly HistoryEntry[]; readonly items: Readonly<Record<string, CartItem>> }>;
  readonly transport: AnalyticsTransport;
  readonly clock?: Clock;
  readonly newId?: IdFactory;
  /**
   * This device's operation times (latency-monitor.ts): each day's histograms go with that day's counts,
   * and the days already acknowledged are given back at start, so a day's times survive a restart.
   */
  readonly latency?: { days(): DayLatency[]; restore(days: readonly DayLatency[]): void };
}

export interface ReportResult {
  /** Days sent and acknowledged. */
  readonly sent: number;
  /** Days still due (not sent: no consent, or the send failed and is tried again later). */
  readonly due: number;
}

export interface AnalyticsReporter {
  /** Whether the shopper agreed to share daily aggregates from this device. */
  readonly consent$: Observable<boolean>;
  readonly ready: Promise<void>;
  setConsent(on: boolean): Promise<void>;
  /**
   * Records what a shop page showed (the extension's capture: a product recognised, a checkout, an order),
   * with or without consent: kept on the device, it makes the shopper's own insights. A checkout or order
   * of a shop seen again within SIGNAL_REPEAT_MS is recorded once.
   */
  recordSignal(signal: Omit<ShopSignal, 'id' | 'device' | 'at'> & { readonly at?: number }): Promise<void>;
  /** The shop signals this device keeps, oldest first. */
  signals(): Promise<readonly ShopSignal[]>;
  /** The days this device would send now (after consent), with their numbers. */
  due(): Promise<DailyAggregate[]>;
  /** Sends what is due; never throws for a failed send (it is kept for later): see `lastError`. */
  report(): Promise<ReportResult>;
  /** Why the last report could not send, or null. */
  readonly lastError: ToteError | null;
}

export function createAnalyticsReporter({ deviceId, storage, read, transport, clock = systemClock, newId = randomId, latency }: AnalyticsReporterOptions): AnalyticsReporter {
  let state: AnalyticsLocalState = EMPTY;
  const consent = new BehaviorSubject(false);
  let lastError: ToteError | null = null;
  const ready = storage.load().then((value) => {
    state = readState(value);
    consent.next(state.consentSince !== null);
    latency?.restore(Object.values(state.sent).flatMap((day) => (day.latency ? [{ day: day.day, latency: day.latency }] : [])));
  });
  // One change of the state at a time (a report and a signal recorded meanwhile never overwrite each other).
  let queue: Promise<unknown> = ready;
  const serial = <T>(work: () => Promise<T>): Promise<T> => {
    const result = queue.then(work);
    queue = result.catch(() => undefined);
    return result;
  };
  const save = async (next: AnalyticsLocalState) => {
    await storage.save(next);
    state = next;
    consent.next(next.consentSince !== null);
  };

  async function computeDue(): Promise<DailyAggregate[]> {
    if (state.consentSince === null) return [];
    const { entries, items } = await read();
    const counted = dailyAggregates(deriveEvents({ entries, items, signals: state.signals, now: clock.now() }), deviceId);
    const byDay = new Map(counted.map((day) => [day.day, day]));
    // The last days' operation times go with their day (a day with times and no events goes too).
    for (const { day, latency: times } of latency?.days().slice(-LATENCY_DAYS_KEPT) ?? []) {
      const kept = Object.fromEntries(Object.entries(times).filter(([, encoded]) => encoded.length <= MAX_LATENCY_CHARS));
      if (Object.keys(kept).length === 0) continue;
      byDay.set(day, { ...(byDay.get(day) ?? emptyAggregate(day)), latency: kept });
    }
    const days = [...byDay.values()].sort((a, b) => (a.day < b.day ? -1 : 1));
    const out: DailyAggregate[] = [];
    for (const day of days) {
      if (day.day < state.consentSince) continue;
      const acknowledged = state.sent[day.day];
      // A count never goes down: history older than 30 days is pruned, and its days keep what was sent.
      const next = acknowledged ? mergeAggregates(acknowledged, day) : day;
      if (!acknowledged || !sameAggregate(acknowledged, next)) out.push(next);
    }
    return out;
  }

  return {
    consent$: consent.asObservable(),
    ready,
    get lastError() {
      return lastError;
    },
    setConsent: (on) => serial(async () => {
      if (on === (state.consentSince !== null)) return;
      // Off forgets what was sent and queued: turning it on again starts from that day.
      await save(on ? { ...state, consentSince: dayOf(clock.now()) } : { ...state, consentSince: null, sent: {} });
    }),
    recordSignal: (signal) => serial(async () => {
      const full = { ...signal, id: newId(), device: deviceId, at: signal.at ?? clock.now() } as ShopSignal;
      if (full.kind !== 'recognised' && state.signals.some((seen) => seen.kind === full.kind && shopKey(seen.shop) === shopKey(full.shop)
        && Math.abs(full.at - seen.at) < SIGNAL_REPEAT_MS)) return;
      await save({ ...state, signals: [...state.signals, full].slice(-MAX_SIGNALS) });
    }),
    signals: () => serial(async () => state.signals),
    due: () => serial(computeDue),
    report: () => serial(async () => {
      const due = await computeDue();
      if (due.length === 0) return { sent: 0, due: 0 };
      let sent = 0;
      for (let start = 0; start < due.length; start += MAX_DAYS_PER_BATCH) {
        const days = due.slice(start, start + MAX_DAYS_PER_BATCH);
        try {
          await transport({ device: deviceId, days });
        } catch (error) {
          lastError = error instanceof ToteError ? error : new ToteError('SYNC_OFFLINE', 'Tote could not send usage figures; they are sent later.', { cause: String(error) });
          return { sent, due: due.length - sent };
        }
        const acknowledged = { ...state.sent };
        for (const day of days) acknowledged[day.day] = day;
        await save({ ...state, sent: acknowledged });
        sent += days.length;
      }
      lastError = null;
      return { sent, due: 0 };
    }),
  };
}

/** The session a send goes with (a StoredSession will do). */
export interface SessionRef {
  readonly serverUrl: string;
  readonly token: string;
}

/**
 * The transport to the gateway (`POST /_tote/analytics`, docs/analytics.md), with the session's token.
 * `session` returns null when signed out: nothing is sent then (SESSION_EXPIRED, kept for later).
 */
export function gatewayAnalyticsTransport(fetchPort: FetchPort, session: () => SessionRef | null | Promise<SessionRef | null>): AnalyticsTransport {
  return async (batch) => {
    const current = await session();
    if (!current) throw new ToteError('SESSION_EXPIRED', 'Sign in to share usage figures; they are kept on this device meanwhile.');
    let response: Response;
    try {
      response = await fetchPort(`${current.serverUrl.replace(/\/+$/, '')}/_tote/analytics`, {
        method: 'POST',
        headers: { accept: 'application/json', 'content-type': 'application/json', authorization: `Bearer ${current.token}` },
        body: JSON.stringify(batch),
      });
    } catch (cause) {
      throw new ToteError('SYNC_OFFLINE', 'The sync server could not be reached; usage figures are sent later.', { cause: String(cause) });
    }
    const text = await response.text();
    if (response.ok) return;
    let reason = `The sync server answered ${response.status}.`;
    try {
      const body = JSON.parse(text) as { reason?: unknown };
      if (typeof body.reason === 'string') reason = body.reason;
    } catch {
      // not JSON: keep the status
    }
    if (response.status === 400 || response.status === 413) throw new ToteError('INVALID_INPUT', reason, { status: response.status });
    if (response.status === 401) throw new ToteError('SESSION_EXPIRED', 'Your session has ended. Sign in again; usage figures are kept on this device meanwhile.', { status: 401 });
    if (response.status === 403) throw new ToteError('SYNC_FORBIDDEN', reason, { status: 403 });
    if (response.status === 429) throw new ToteError('RATE_LIMITED', reason, { status: 429, retryAfterSeconds: Number(response.headers.get('retry-after') ?? 60) });
    if (response.status === 503 || response.status === 507) throw new ToteError('SYNC_UNAVAILABLE', reason, { status: response.status });
    throw new ToteError('SYNC_HTTP', reason, { status: response.status });
  };
}
