// Two processes share one store under load (sqlite, lmdb: their files are shared across
// processes): each runs concurrent clients on the same few sessions through the recorder, the
// histories are merged on the shared clock and checked for linearizability. A correct backend is
// 'ok' on every id; a backend whose compare-and-set or reads are per process is caught.
import { loadFaultBackend } from './backends.js';
import { spawnScript, waitFor } from './child.js';
import type { HistoryEvent } from './history.js';
import type { HistoryChildRequest } from './history-child.js';
import { checkHistory, type CheckOptions, type CheckSummary } from './linearizability.js';

export interface TwoProcessHistoryOptions {
  /** A reference backend name or an absolute module path (loaded in the children). */
  backend: string;
  dir: string;
  /** Operations of each client; two clients per process. */
  opsPerClient: number;
  seed?: number;
  options?: Record<string, unknown>;
  /** Bound on the whole run. Default 60 s. */
  timeLimitMs?: number;
  check?: CheckOptions;
}

export interface TwoProcessHistoryResult {
  backend: string;
  processes: number;
  clients: number;
  sessions: number;
  operations: number;
  /** The children's run, from the first spawn to the last history read. */
  loadMs: number;
  check: CheckSummary;
}

const PROCESSES = 2;
const CLIENTS_PER_PROCESS = 2;
const IDS = ['s0', 's1', 's2', 's3'];

export async function runTwoProcessHistory(options: TwoProcessHistoryOptions): Promise<TwoProcessHistoryResult> {
  await loadFaultBackend(options.backend); // a setup problem is the parent's error, not two children's
  const timeLimitMs = options.timeLimitMs ?? 60_000;
  const started = Date.now();
  const namespace = `history-${process.pid}-${started}`;
  const histories = await Promise.all(
    Array.from({ length: PROCESSES }, (_, index) => {
      const request: HistoryChildRequest = {
        backend: options.backend,
        dir: options.dir,
        namespace,
        options: options.options ?? {},
        index,
        processes: PROCESSES,
        clients: CLIENTS_PER_PROCESS,
        ids: IDS,
        opsPerClient: options.opsPerClient,
        seed: options.seed ?? 1,
        deadline: started + timeLimitMs,
      };
      return historyOf(request, timeLimitMs + 10_000);
    }),
  );
  const loadMs = Date.now() - started;
  const history = histories.flat();
  return {
    backend: options.backend,
    processes: PROCESSES,
    clients: PROCESSES * CLIENTS_PER_PROCESS,
    sessions: IDS.length,
    operations: history.length,
    loadMs,
    // A generous budget: 'unknown' fails the gate, so it must mean a hard history, not a busy machine.
    check: checkHistory(history, { budgetMsPerId: 30_000, ...options.check }),
  };
}

/** Runs one child; its history, or an error with its stderr when it fails or says nothing. */
async function historyOf(request: HistoryChildRequest, timeoutMs: number): Promise<HistoryEvent[]> {
  let history: HistoryEvent[] | undefined;
  const child = spawnScript('history-child', request, (line) => {
    if (line.startsWith('history ')) history = JSON.parse(line.slice('history '.length)) as HistoryEvent[];
  });
  const exit = waitFor(`history child ${request.index}`, timeoutMs);
  child.exited.then(() => exit.done(), exit.fail);
  try {
    await exit.promise;
  } finally {
    if (child.process.exitCode === null) child.process.kill('SIGKILL');
  }
  const { code, signal } = await child.exited;
  if (history === undefined || code !== 0)
    throw new Error(`history child ${request.index} exited ${signal ?? code}: ${child.stderr() || 'no history'}`);
  return history;
}
