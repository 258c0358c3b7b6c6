// Load from several processes for a networked store at many in flight. One Node process driving
// 64 operations spends more of its time in its own client (parsing replies, resolving promises)
// than the store spends serving them, so the row would measure the benchmark. Each child process
// (worker-load-child) opens the backend, or the raw driver, itself, with its own connections, and
// drives its share of the operations in flight; their samples merge into one measurement.
// Child processes, not worker threads: tsx (the sources) can't load TypeScript into a worker thread
// on Node 20, and a child is found like every other sibling script, from dist/ and from source.
import { type ChildProcess, spawn } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { siblingScriptArgs } from '../backends/sibling-script.js';
import { withTimeout } from '../backends/timeout.js';
import type { ClosedLoopSettings, Measurement } from './closed-loop.js';
import type { Mix } from './mixes.js';
import { sampleMarginOfError } from './stats.js';

/** From this many in flight a networked store's rows are driven by worker processes. */
export const WORKER_MIN_CONCURRENCY = 64;
/**
 * A child saturates one core with client work (an ioredis GET costs the client several times
 * what it costs Redis). The store usually runs on the same machine in CI, so one core is left to
 * it: more children than the cores left only time-slice with the server and with each other (on
 * 2 loaded cores, 2 children drove Redis slower than one process did). Beyond 4 the store itself
 * (a single-threaded Redis) is the limit. A store on another machine can take more: --workers.
 */
export const MAX_WORKERS = 4;
/** A child loads tsx (from source) and connects; on a loaded machine that takes seconds. */
const START_TIMEOUT_MS = 60_000;
const CLOSE_TIMEOUT_MS = 30_000;

/** One per core but one, at most MAX_WORKERS; 1 (in-process) on 2 cores or fewer. */
export function defaultWorkers(): number {
  return Math.max(1, Math.min(availableParallelism() - 1, MAX_WORKERS));
}

/** What every child needs to open its own connections to the data the parent prefilled. */
export interface WorkerSetup {
  /** A networked reference backend, by name: the child loads it from the registry. */
  backend: string;
  dir: string;
  namespace: string;
  openOptions?: Record<string, unknown>;
  /** The raw driver's directory and namespace, when raw rows are measured. */
  raw?: { dir: string; namespace: string };
  dataset: { size: number; payloadBytes: number; seed: number };
  /** The workload seed; each child adds its index, so children draw different keys. */
  seed: number;
  mixes: Mix[];
}

export type WorkerDriver = 'backend' | 'raw';

export type Request =
  | { type: 'open'; setup: WorkerSetup; index: number }
  | { type: 'measure'; driver: WorkerDriver; op: string; settings: ClosedLoopSettings }
  | { type: 'close' };

export type Reply =
  | { type: 'done'; measurement?: { sortedUs: Float64Array; opsPerSec: number; rme: number } }
  | { type: 'failed'; message: string };

/** A reply names its request, so one that comes after its timeout never answers another. */
export type ToChild = { id: number; request: Request };
export type FromChild = { id: number; reply: Reply };

/** Created sessions of child k take indices from here on: disjoint from the parent's and each other's (ids hold 32 bits of index). */
export function firstCreatedIndex(datasetSize: number, index: number): number {
  return datasetSize + (index + 1) * 2 ** 28;
}

/** `total` in flight shared over `workers` as evenly as can be. */
export function shares(total: number, workers: number): number[] {
  return Array.from({ length: workers }, (_, k) => Math.floor(total / workers) + (k < total % workers ? 1 : 0));
}

/**
 * The workers' measurements as one: every sample, and the throughput of all of them together
 * (they ran at the same time, so their rates add up). The closed loop keeps every sample, so
 * they merge exactly: no histogram buckets.
 */
export function mergeWorkers(parts: readonly Measurement[]): Measurement {
  const sortedUs = new Float64Array(parts.reduce((n, m) => n + m.sortedUs.length, 0));
  let at = 0;
  for (const m of parts) {
    sortedUs.set(m.sortedUs, at);
    at += m.sortedUs.length;
  }
  sortedUs.sort();
  return {
    sortedUs,
    opsPerSec: parts.reduce((sum, m) => sum + m.opsPerSec, 0),
    rme: sampleMarginOfError(sortedUs),
  };
}

/** Like Promise.all, but waits for every promise to settle before it rejects: no child is left mid-request. */
async function settleAll<T>(promises: Promise<T>[]): Promise<T[]> {
  const results = await Promise.allSettled(promises);
  const failed = results.find((r) => r.status === 'rejected');
  if (failed !== undefined) throw failed.reason;
  return results.map((r) => (r as PromiseFulfilledResult<T>).value);
}

class Child {
  readonly #pending = new Map<number, { resolve: (reply: Reply) => void; reject: (err: Error) => void }>();
  #nextId = 0;
  #exited: Error | undefined;

  constructor(readonly process: ChildProcess) {
    process.on('message', ({ id, reply }: FromChild) => this.#pending.get(id)?.resolve(reply));
    process.on('exit', (code, signal) => {
      this.#exited = new Error(`benchmark worker exited (${signal ?? `code ${code}`})`);
      for (const { reject } of this.#pending.values()) reject(this.#exited);
    });
  }

  async request(request: Request, timeoutMs: number): Promise<Reply & { type: 'done' }> {
    if (this.#exited !== undefined) throw this.#exited;
    const id = this.#nextId++;
    const reply = new Promise<Reply>((resolve, reject) => this.#pending.set(id, { resolve, reject }));
    this.process.send({ id, request } satisfies ToChild);
    try {
      const answer = await withTimeout(
        reply,
        timeoutMs,
        `benchmark worker did not answer ${request.type} in ${timeoutMs} ms`,
      );
      if (answer.type === 'failed') throw new Error(`benchmark worker: ${answer.message}`);
      return answer;
    } finally {
      this.#pending.delete(id);
    }
  }

  get exited(): boolean {
    return this.#exited !== undefined;
  }
}

export class WorkerLoad {
  private constructor(readonly children: readonly Child[]) {}

  /** `count` children, each with its backend (and raw driver) open on the parent's data. */
  static async start(setup: WorkerSetup, count: number): Promise<WorkerLoad> {
    const load = new WorkerLoad(
      Array.from(
        { length: count },
        () =>
          new Child(
            spawn(process.execPath, ['--expose-gc', ...siblingScriptArgs(import.meta.url, 'worker-load-child')], {
              stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
              serialization: 'advanced',
            }),
          ),
      ),
    );
    try {
      await settleAll(load.children.map((c, index) => c.request({ type: 'open', setup, index }, START_TIMEOUT_MS)));
    } catch (err) {
      await load.close();
      throw err;
    }
    return load;
  }

  get size(): number {
    return this.children.length;
  }

  /** One closed-loop measurement, settings.concurrency shared over the children, all at once. */
  async measure(
    driver: WorkerDriver,
    op: string,
    settings: ClosedLoopSettings,
  ): Promise<{ merged: Measurement; parts: Measurement[] }> {
    const inFlight = shares(settings.concurrency, this.size);
    // measureClosedLoop may double a round's time up to 2^8 times before it gives up.
    const timeoutMs = START_TIMEOUT_MS + (settings.timeMs + settings.warmupMs) * 2 ** 9;
    const parts = await settleAll(
      this.children.map(async (child, k) => {
        const reply = await child.request(
          { type: 'measure', driver, op, settings: { ...settings, concurrency: inFlight[k]! } },
          timeoutMs,
        );
        if (reply.measurement === undefined) throw new Error(`benchmark worker measured nothing for ${op}`);
        return reply.measurement;
      }),
    );
    return { merged: mergeWorkers(parts), parts };
  }

  /** Closes every child's connections and waits for it to exit; one that doesn't is killed. */
  async close(): Promise<void> {
    await Promise.all(
      this.children.map(async (child) => {
        if (child.exited) return;
        const exited = new Promise((resolve) => child.process.once('exit', resolve));
        try {
          await child.request({ type: 'close' }, CLOSE_TIMEOUT_MS);
          await withTimeout(exited, CLOSE_TIMEOUT_MS, 'benchmark worker did not exit');
        } catch {
          child.process.kill('SIGKILL');
        }
      }),
    );
  }
}
