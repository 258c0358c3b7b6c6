// A connection fault under load, whatever the store: workers store and fetch sessions through a
// backend, a fault is injected (Redis CLIENT KILL or a restart, PostgreSQL pg_terminate_backend),
// and every call must settle within a bound (never hang), fail only with the codes a caller can act
// on, and the load must go on by itself. Each acknowledged store is recorded, so a scenario can
// also count the acknowledged writes the fault lost.
import { isDeepStrictEqual } from 'node:util';
import type { Session, SessionBackend } from '../../backends/contract.js';
import { errorCode } from '../../backends/errors.js';
import { withTimeout } from '../../backends/timeout.js';
import { waitFor } from './child.js';

export interface LoadFaultSettings {
  /** What the run is called in its errors (the fault's name). */
  fault: string;
  /** The backend's own timeout on a call: what bounds a failing operation. */
  commandTimeoutMs: number;
  /** An operation taking longer than this counts as hung (and is abandoned). */
  hangAfterMs: number;
  /** Bound on reaching each of opsBefore and opsAfter. */
  phaseTimeoutMs: number;
  /** Operations in flight at once. */
  workers: number;
  /** Successful operations before the fault, and after recovery before the run ends. */
  opsBefore: number;
  opsAfter: number;
}

/** The figures of one run under one fault. */
export interface LoadFaultFigures {
  /** Operations that failed after the fault. */
  errors: number;
  errorCodes: Record<string, number>;
  /** ms from the fault to the first success of an operation started once the fault was in place; null if none. */
  recoveryMs: number | null;
  /** Some operation took longer than hangAfterMs. */
  hung: boolean;
  /** The slowest failed operation (ms): what the bound held. */
  slowestFailureMs: number;
  commandTimeoutMs: number;
  operations: number;
}

/** What a fault's inject() is handed. */
export interface FaultControl {
  /** Call once the fault is in place (connections killed, server dead): recovery counts from operations started after it. */
  inPlace(): void;
  /** Settles at the first failed operation after the fault, or after the hang bound if none fails. */
  firstFailure: Promise<void>;
}

export interface LoadFaultRun {
  figures: LoadFaultFigures;
  /** Each stored id's highest acknowledged version (loadSession(id, version) is what was stored). */
  acked: Map<string, number>;
  /** Successful fetches that did not return the write the same worker had just had acknowledged. */
  readsBehind: number;
}

/** Each worker stores and then fetches, in turn, one of 50 ids of its own. */
const IDS_PER_WORKER = 50;

/** The session the load stores: its content follows from (id, version), so a read-back can be checked. */
export function loadSession(id: string, version: number): Session {
  return { id, createdAt: 1, lastAccessedAt: 1, timeoutMs: null, version, metadata: { id, version } };
}

/** What a scenario's caller may set; the rest of LoadFaultSettings has defaults. */
export type LoadFaultOptions = Partial<Omit<LoadFaultSettings, 'fault'>>;

/** The settings with their defaults: a 500 ms command timeout, hung at 10x it, 4 workers, 50 successes before and 100 after. */
export function loadFaultSettings(fault: string, options: LoadFaultOptions): LoadFaultSettings {
  const commandTimeoutMs = options.commandTimeoutMs ?? 500;
  return {
    fault,
    commandTimeoutMs,
    hangAfterMs: options.hangAfterMs ?? 10 * commandTimeoutMs,
    phaseTimeoutMs: options.phaseTimeoutMs ?? 30_000,
    workers: options.workers ?? 4,
    opsBefore: options.opsBefore ?? 50,
    opsAfter: options.opsAfter ?? 100,
  };
}

type Wait = ReturnType<typeof waitFor>;

/** What the load and the fault share. */
interface Run {
  settings: LoadFaultSettings;
  figures: LoadFaultFigures;
  acked: Map<string, number>;
  readsBehind: number;
  /** When the fault was injected; until then a failed operation is a bug, not the fault. */
  faultAt: number | undefined;
  faultInPlace: number;
  successes: number;
  /** Successes of operations started once the fault was in place. */
  successesAfter: number;
  stop: boolean;
  before: Wait;
  recovered: Wait;
  /** Made at the fault, so a fault can wait (within the hang bound) until some operation has seen it. */
  firstError: Wait | undefined;
}

/** Loads `backend` until opsBefore successes, injects the fault, and waits for opsAfter successes after it. */
export async function runUnderLoad(
  backend: SessionBackend,
  settings: LoadFaultSettings,
  inject: (control: FaultControl) => Promise<void>,
): Promise<LoadFaultRun> {
  const run = newRun(settings);
  const load = startLoad(run, backend);
  try {
    await run.before.promise;
    run.firstError = waitFor('an operation to fail after the fault', settings.hangAfterMs);
    run.faultAt = Date.now();
    await inject({
      inPlace: () => (run.faultInPlace = Date.now()),
      firstFailure: run.firstError.promise.catch(() => {}),
    });
    // A hang is the result (its gate fails on it), not an error that would skip the scenario.
    await run.recovered.promise.catch((err: unknown) => {
      if (!run.figures.hung) throw err;
    });
  } finally {
    run.stop = true;
    await load.catch(() => {});
  }
  return { figures: run.figures, acked: run.acked, readsBehind: run.readsBehind };
}

/** Acknowledged sessions that `backend` no longer has at their acknowledged version (or later), exactly as stored. */
export async function countLost(backend: SessionBackend, acked: ReadonlyMap<string, number>): Promise<number> {
  let lost = 0;
  for (const [id, version] of acked) if (isBehind(await backend.fetch(id, 1), id, version)) lost++;
  return lost;
}

/** `got` is not the session acknowledged at `version` or a later one, as stored. */
function isBehind(got: Session | undefined, id: string, version: number): boolean {
  return got === undefined || got.version < version || !isDeepStrictEqual(got, loadSession(id, got.version));
}

/** A run before any operation; its two phase waits start timing now. */
function newRun(settings: LoadFaultSettings): Run {
  return {
    settings,
    figures: {
      errors: 0,
      errorCodes: {},
      recoveryMs: null,
      hung: false,
      slowestFailureMs: 0,
      commandTimeoutMs: settings.commandTimeoutMs,
      operations: 0,
    },
    acked: new Map(),
    readsBehind: 0,
    faultAt: undefined,
    faultInPlace: Number.POSITIVE_INFINITY,
    successes: 0,
    successesAfter: 0,
    stop: false,
    before: waitFor(`${settings.opsBefore} successful operations before the fault`, settings.phaseTimeoutMs),
    recovered: waitFor(
      `recovery from ${settings.fault} and ${settings.opsAfter} successful operations after it`,
      settings.phaseTimeoutMs,
    ),
    firstError: undefined,
  };
}

/** Starts the workers, each one operation at a time until run.stop; a worker's error ends the wait for recovery. */
function startLoad(run: Run, backend: SessionBackend): Promise<void[]> {
  const workers = Array.from({ length: run.settings.workers }, async (_, worker) => {
    for (let i = 0; !run.stop; i++) await operate(run, backend, worker, i);
  });
  const load = Promise.all(workers);
  load.catch((err: Error) => run.recovered.fail(err));
  return load;
}

/** One operation of the load (a store of a new version, then a fetch of it), timed and recorded. */
async function operate(run: Run, backend: SessionBackend, worker: number, i: number): Promise<void> {
  const id = `w${worker}-${Math.floor(i / 2) % IDS_PER_WORKER}`;
  const version = 1 + i;
  const acked = run.acked.get(id);
  const op =
    i % 2 === 0
      ? backend.store(loadSession(id, version))
      : backend.fetch(id, 1).then((got) => {
          // Read your writes: a fetch after an acknowledged store must see it.
          if (acked !== undefined && isBehind(got, id, acked)) run.readsBehind++;
        });
  const started = Date.now();
  // An operation that takes longer than hangAfterMs is abandoned and counted as a hang.
  const outcome = await withTimeout(
    op.then(
      () => 'ok' as const,
      (err: unknown) => errorCode(err) ?? 'no code',
    ),
    run.settings.hangAfterMs,
    { resolveWith: 'hung' as const },
  );
  run.figures.operations++;
  if (outcome === 'hung') {
    run.figures.hung = true;
    run.recovered.fail(new Error(`an operation hung for ${run.settings.hangAfterMs} ms after ${run.settings.fault}`));
  } else if (outcome === 'ok') {
    if (i % 2 === 0) run.acked.set(id, Math.max(run.acked.get(id) ?? 0, version));
    recordSuccess(run, started);
  } else recordFailure(run, outcome, started);
}

/** Settles the wait for opsBefore successes, and after the fault the wait for recovery. */
function recordSuccess(run: Run, started: number): void {
  const { settings } = run;
  if (++run.successes === settings.opsBefore) run.before.done();
  if (run.faultAt !== undefined && started >= run.faultInPlace) {
    run.figures.recoveryMs ??= Date.now() - run.faultAt;
    if (++run.successesAfter === settings.opsAfter) run.recovered.done();
  }
}

/** Before the fault a failure is a broken backend or setup: it ends the run; after it, it is counted. */
function recordFailure(run: Run, code: string, started: number): void {
  if (run.faultAt === undefined) throw new Error(`operation failed with ${code} before any fault`);
  const { figures } = run;
  figures.errors++;
  figures.errorCodes[code] = (figures.errorCodes[code] ?? 0) + 1;
  figures.slowestFailureMs = Math.max(figures.slowestFailureMs, Date.now() - started);
  run.firstError?.done();
}
