/**
 * What each fault run did, for `reliability.*` in bench/results/latest.json (docs/reliability.md).
 *
 * A fault test calls `recordFaultRun` once per run (or per batch of runs) with what it injected and what
 * it found. When `TOTE_RELIABILITY_LEDGER` names a file, each record is appended to it as one JSON line;
 * otherwise nothing is written. The reliability benchmark runs the fault tests with a ledger and sums it.
 */
import { appendFileSync } from 'node:fs';

export interface FaultRun {
  /** The fault's kind, e.g. `network`, `couchdb-kill`, `gateway-kill`, `redis-kill`, `device-kill`. */
  kind: string;
  /** Faults injected in this run (kill points, connections cut, partitions, bytes corrupted…). */
  faults: number;
  /** Cart changes the devices wrote during the run. */
  changesWritten: number;
  /** Changes that did not reach every device (or the server) after the run settled. */
  lost: number;
  /** Items or changes held twice somewhere after the run settled. */
  duplicated: number;
  /** Devices that did not converge with the others once the run settled. */
  notConverged: number;
  /** Processes of ours (gateway, device, CouchDB) that died by themselves, not by the test's kill. */
  crashes: number;
  /** Fuzz cases run (fuzzers only). */
  fuzzCases?: number;
}

export function recordFaultRun(run: FaultRun): void {
  const file = process.env.TOTE_RELIABILITY_LEDGER;
  if (!file) return;
  appendFileSync(file, `${JSON.stringify({ ...run, at: new Date().toISOString() })}\n`);
}
