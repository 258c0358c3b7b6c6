// The operations the benchmark measures, written once against a Surface so the backend and its
// raw driver run the same sequence (same seed, same keys). Each run() does its untimed
// preparation first (picking a key, building a session, seeding expired ones) and resolves to
// the duration of the timed part alone, in ms.
import { BENCH_NOW, type Dataset, EXPIRED_TIMEOUT_MS, forEachConcurrently } from './dataset.js';
import { type Mix, requestKind } from './mixes.js';
import { mulberry32 } from './random.js';
import type { Surface } from './surface.js';
import { ZipfianGenerator } from './zipf.js';

/** The operations, by the names rows carry (the mixed workload's rows are `mixed:<mix name>`). */
export const OPS = [
  'create',
  'fetch-hit',
  'fetch-miss',
  'touch',
  'update-metadata',
  'delete',
  'list',
  'cleanup-expired',
  'mixed',
] as const;
export type Op = (typeof OPS)[number];

/** Derived from cleanup-expired's samples: the cost per removed session. */
export const CLEANUP_PER_SESSION = 'cleanup-per-session';

/** Ops where many in flight make sense; list and cleanup act on the whole store. */
export const CONCURRENT_OPS: ReadonlySet<string> = new Set([
  'create',
  'fetch-hit',
  'fetch-miss',
  'touch',
  'update-metadata',
  'mixed',
]);

/** Sessions seeded expired before each cleanupExpired call: fixed, so cost per session vs N shows a scan. */
export const CLEANUP_BATCH = 1000;

export interface OpRunner {
  /** One operation; resolves to the duration of its timed part in ms. */
  run(): Promise<number>;
}

export interface CleanupRunner extends OpRunner {
  /** Sessions removed and cleanupExpired calls so far (warmup included), for the per-session figure. */
  readonly removed: number;
  readonly calls: number;
}

export interface WorkloadContext {
  surface: Surface;
  dataset: Dataset;
  seed: number;
  /** The next index for a created session, shared by every op on one surface so ids never repeat. */
  nextIndex: { value: number };
}

function elapsedMs(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e6;
}

async function timed(call: () => Promise<unknown>): Promise<number> {
  const start = process.hrtime.bigint();
  await call();
  return elapsedMs(start);
}

/** A seed per op name, so each op's key sequence is its own and the same on both surfaces. */
function opSeed(seed: number, op: string): number {
  let hash = seed ^ 0x811c9dc5;
  for (let i = 0; i < op.length; i++) hash = Math.imul(hash ^ op.charCodeAt(i), 0x01000193);
  return hash >>> 0;
}

function hotKeys(context: WorkloadContext, op: string): () => string {
  const zipf = new ZipfianGenerator(context.dataset.size, mulberry32(opSeed(context.seed, op)));
  return () => context.dataset.id(zipf.next());
}

function newSession(context: WorkloadContext, timeoutMs?: number) {
  return context.dataset.session(context.nextIndex.value++, timeoutMs);
}

/** How many sessions cleanup-expired seeds and removes per call at this dataset size. */
export function cleanupBatch(datasetSize: number): number {
  return Math.max(1, Math.min(CLEANUP_BATCH, Math.floor(datasetSize / 10)));
}

export function cleanupRunner(context: WorkloadContext): CleanupRunner | undefined {
  const { surface } = context;
  const cleanup = surface.cleanupExpired;
  if (cleanup === undefined) return undefined;
  const batch = cleanupBatch(context.dataset.size);
  let removed = 0;
  let calls = 0;
  return {
    get removed() {
      return removed;
    },
    get calls() {
      return calls;
    },
    async run() {
      await forEachConcurrently(0, batch, 64, () => surface.load(newSession(context, EXPIRED_TIMEOUT_MS)));
      const start = process.hrtime.bigint();
      removed += await cleanup(BENCH_NOW);
      const duration = elapsedMs(start);
      calls++;
      return duration;
    },
  };
}

/**
 * One web request per call, as an application serves it: load the request's session (fetch),
 * then mark it accessed (touch) or change it (updateMetadata), both read-modify-write; a
 * share of requests log in (create) or out (delete). Keys follow the zipfian popularity.
 */
export function mixedRunner(context: WorkloadContext, mix: Mix): OpRunner {
  const { surface } = context;
  const key = hotKeys(context, `mixed:${mix.name}`);
  const random = mulberry32(opSeed(context.seed, `mixed:${mix.name}:kinds`));
  // Logouts end sessions this workload logged in, so the prefilled (hot) set stays intact.
  const loggedIn: string[] = [];
  let updates = 0;
  return {
    async run() {
      const kind = requestKind(mix, random());
      if (kind === 'create') {
        const session = newSession(context);
        loggedIn.push(session.id);
        return timed(() => surface.create(session));
      }
      const loggedOut = kind === 'delete' ? loggedIn.pop() : undefined;
      if (loggedOut !== undefined) return timed(() => surface.delete(loggedOut));
      const id = key();
      if (kind === 'update') {
        const patch = { lastPath: `/page/${updates++}` };
        return timed(async () => {
          await surface.fetch(id, BENCH_NOW);
          await surface.updateMetadata(id, patch, BENCH_NOW);
        });
      }
      return timed(async () => {
        await surface.fetch(id, BENCH_NOW);
        await surface.touch(id, BENCH_NOW);
      });
    },
  };
}

/** The runner of a single-operation workload, or undefined when the surface can't do it. */
export function opRunner(op: Exclude<Op, 'mixed' | 'cleanup-expired'>, context: WorkloadContext): OpRunner | undefined {
  const { surface, dataset } = context;
  switch (op) {
    case 'create':
      return {
        run() {
          const session = newSession(context);
          return timed(() => surface.create(session));
        },
      };
    case 'fetch-hit': {
      const key = hotKeys(context, op);
      return {
        run() {
          const id = key();
          return timed(() => surface.fetch(id, BENCH_NOW));
        },
      };
    }
    case 'fetch-miss': {
      let next = 0;
      return {
        run() {
          const id = dataset.missingId(next++ % dataset.size);
          return timed(() => surface.fetch(id, BENCH_NOW));
        },
      };
    }
    case 'touch': {
      const key = hotKeys(context, op);
      return {
        run() {
          const id = key();
          return timed(() => surface.touch(id, BENCH_NOW));
        },
      };
    }
    case 'update-metadata': {
      const key = hotKeys(context, op);
      let updates = 0;
      return {
        run() {
          const id = key();
          const patch = { lastPath: `/page/${updates++}` };
          return timed(() => surface.updateMetadata(id, patch, BENCH_NOW));
        },
      };
    }
    case 'delete':
      return {
        async run() {
          const session = newSession(context);
          await surface.load(session);
          return timed(() => surface.delete(session.id));
        },
      };
    case 'list': {
      const list = surface.list;
      return list && { run: () => timed(() => list(BENCH_NOW)) };
    }
  }
}
