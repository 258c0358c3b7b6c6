// The benchmark's machinery, never its timings: percentiles, the zipfian generator, the data,
// a tiny real run (every field finite and consistent, overheadRatio from the raw row), the
// concurrency path, and the open loop measuring from intended start times.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BackendModule, SessionBackend } from '../backends/contract.js';
import memory from '../backends/memory.js';
import { loadReferenceBackend } from '../backends/registry.js';
import { formatTable } from '../benchmarks/console-table.js';
import { BENCH_NOW, Dataset, EXPIRED_TIMEOUT_MS, makeMetadata } from '../benchmarks/dataset.js';
import { PREFILL_CONCURRENCY, runBenchmarks } from '../benchmarks/index.js';
import { PROFILES } from '../backends/profiles.js';
import { checkBudgets, loadBudgets } from '../reports/budgets.js';
import { budgetsGate } from '../reports/gates.js';
import { median, medianInterval } from '../benchmarks/stats.js';
import slowedMemory2x from './plugin-fixtures/slowed-memory-2x.js';
import { rawDriverFor } from '../benchmarks/raw.js';
import { requestKind, resolveMix } from '../benchmarks/mixes.js';
import { measureOpenLoop } from '../benchmarks/open-loop.js';
import { REDIS_BENCHMARK_OP } from '../benchmarks/redis-benchmark.js';
import { mulberry32 } from '../benchmarks/random.js';
import type { BenchmarkRow } from '../benchmarks/result.js';
import { percentile, sampleMarginOfError, summarize, thin } from '../benchmarks/stats.js';
import { OPS } from '../benchmarks/workloads.js';
import { zeta, ZipfianGenerator } from '../benchmarks/zipf.js';
import { privateRedis } from './helpers/private-redis.js';

test('percentile interpolates between closest ranks', () => {
  const five = [1, 2, 3, 4, 5];
  assert.equal(percentile(five, 0), 1);
  assert.equal(percentile(five, 25), 2);
  assert.equal(percentile(five, 50), 3);
  assert.ok(Math.abs(percentile(five, 90) - 4.6) < 1e-12);
  assert.equal(percentile(five, 100), 5);
  assert.equal(percentile([7], 99.9), 7);
  const thousand = Array.from({ length: 1000 }, (_, i) => i + 1);
  assert.ok(Math.abs(percentile(thousand, 99.9) - 999.001) < 1e-9);
  assert.ok(Math.abs(percentile(thousand, 95) - 950.05) < 1e-9);
  assert.throws(() => percentile([], 50), RangeError);
  assert.throws(() => percentile(five, 101), RangeError);
  assert.deepEqual(summarize(five), { p50Us: 3, p95Us: 4.8, p99Us: 4.96, p999Us: 4.996, maxUs: 5 });
  // mean 3, sd sqrt(2.5), n 5: 1.96 * 1.5811 / sqrt(5) / 3 = 46.2%.
  assert.ok(Math.abs(sampleMarginOfError(five) - (100 * 1.96 * Math.sqrt(2.5)) / Math.sqrt(5) / 3) < 1e-9);
});

test('thin keeps the extremes and the shape, at most max samples', () => {
  const sorted = Array.from({ length: 10_001 }, (_, i) => i);
  const kept = thin(sorted, 101);
  assert.equal(kept.length, 101);
  assert.equal(kept[0], 0);
  assert.equal(kept[100], 10_000);
  assert.equal(kept[50], 5000);
  assert.deepEqual(thin([3, 4], 101), [3, 4]);
});

test('the zipfian generator draws rank 1 with probability 1/zeta(n, 0.99), deterministically', () => {
  const n = 1000;
  const draws = 200_000;
  const zipf = new ZipfianGenerator(n, mulberry32(42));
  const counts = new Array<number>(n).fill(0);
  for (let i = 0; i < draws; i++) {
    const rank = zipf.next();
    assert.ok(Number.isInteger(rank) && rank >= 0 && rank < n);
    counts[rank]!++;
  }
  const zetan = zeta(n, 0.99);
  assert.ok(Math.abs(zipf.firstRankProbability - 1 / zetan) < 1e-15);
  // Binomial standard error is ~0.6% of p here: 5% is far outside chance.
  const first = counts[0]! / draws;
  assert.ok(Math.abs(first / (1 / zetan) - 1) < 0.05, `rank-1 frequency ${first}, expected ${1 / zetan}`);
  const second = counts[1]! / draws;
  assert.ok(Math.abs(second / (0.5 ** 0.99 / zetan) - 1) < 0.05, `rank-2 frequency ${second}`);
  // Popularity falls with rank.
  const band = (from: number, to: number) => counts.slice(from, to).reduce((a, b) => a + b, 0) / (to - from);
  assert.ok(band(0, 10) > band(10, 100) && band(10, 100) > band(100, 1000));

  const sequence = (seed: number) => {
    const g = new ZipfianGenerator(n, mulberry32(seed));
    return Array.from({ length: 50 }, () => g.next());
  };
  assert.deepEqual(sequence(7), sequence(7));
  assert.notDeepEqual(sequence(7), sequence(8));
  assert.throws(() => new ZipfianGenerator(0, Math.random), RangeError);
});

test('mixes: weights pick request kinds, bad mixes are refused', () => {
  const mix = resolveMix('web');
  assert.equal(requestKind(mix, 0), 'read');
  assert.equal(requestKind(mix, 0.91), 'update');
  assert.equal(requestKind(mix, 0.96), 'create');
  assert.equal(requestKind(mix, 0.99), 'delete');
  const writesOnly = resolveMix({ name: 'writes-only', read: 0, update: 1, create: 0, delete: 0 });
  assert.equal(requestKind(writesOnly, 0), 'update');
  assert.equal(requestKind(writesOnly, 0.9999999), 'update');
  assert.throws(() => resolveMix('nope'), /unknown mix/);
  assert.throws(() => resolveMix({ name: 'Bad Name', read: 1, update: 0, create: 0, delete: 0 }), /kebab-case/);
  assert.throws(() => resolveMix({ name: 'neg', read: -1, update: 0, create: 0, delete: 0 }), /non-negative/);
  assert.throws(() => resolveMix({ name: 'zero', read: 0, update: 0, create: 0, delete: 0 }), /every weight is 0/);
});

test('the dataset is deterministic, ids are unique manager-style hex, payloads near their size', () => {
  const a = new Dataset(500, 200, 3);
  const b = new Dataset(500, 200, 3);
  assert.deepEqual(a.session(17), b.session(17));
  assert.notDeepEqual(a.session(17), new Dataset(500, 200, 4).session(17));
  const ids = new Set(Array.from({ length: 1000 }, (_, i) => a.id(i)));
  assert.equal(ids.size, 1000);
  for (const id of ids) assert.match(id, /^[0-9a-f]{32}$/);
  for (const bytes of [200, 10 * 1024]) {
    const size = JSON.stringify(makeMetadata(mulberry32(9), bytes)).length;
    assert.ok(Math.abs(size - bytes) <= bytes * 0.1, `metadata of ${size} bytes for a ${bytes}-byte payload`);
  }
});

function assertWellFormed(row: BenchmarkRow): void {
  const figures = [row.p50Us, row.p95Us, row.p99Us, row.p999Us, row.maxUs, row.opsPerSec, row.rme];
  for (const f of figures) assert.ok(Number.isFinite(f) && f >= 0, `${row.op}: ${JSON.stringify(row)}`);
  assert.ok(row.samples > 0, `${row.op} has samples`);
  assert.ok(
    row.p50Us <= row.p95Us && row.p95Us <= row.p99Us && row.p99Us <= row.p999Us && row.p999Us <= row.maxUs,
    `${row.op} percentiles ordered`,
  );
  assert.ok(row.opsPerSec > 0);
  // redis-benchmark's row has its percentiles, not its samples.
  if (row.op !== REDIS_BENCHMARK_OP)
    assert.ok(row.samplesUs !== undefined && row.samplesUs.length === Math.min(row.samples, 2000));
}

test('a tiny run on memory: every op, every field finite, overheadRatio from the raw row', async () => {
  const lines: string[] = [];
  const rows = await runBenchmarks([{ name: 'memory', module: memory }], {
    profile: 'quick',
    datasetSizes: [200],
    payloads: [200],
    timeMs: 4,
    openLoop: true,
    openLoopMs: 50,
    openLoopRate: 1000,
    onProgress: (line) => lines.push(line),
  });
  for (const row of rows) assertWellFormed(row);
  const backendOps = new Set(rows.filter((r) => r.driver === 'backend').map((r) => r.op));
  for (const op of OPS) assert.ok(backendOps.has(op === 'mixed' ? 'mixed:web' : op), `a row for ${op}`);
  assert.ok(backendOps.has('cleanup-per-session') && backendOps.has('prefill'));

  const cleanup = rows.find((r) => r.driver === 'backend' && r.op === 'cleanup-expired')!;
  const perSession = rows.find((r) => r.driver === 'backend' && r.op === 'cleanup-per-session')!;
  // 200 sessions: 20 seeded expired per call, 20 removed per call.
  assert.ok(Math.abs(cleanup.p50Us / perSession.p50Us - 20) < 1e-9);

  const raws = rows.filter((r) => r.driver === 'raw');
  assert.ok(raws.some((r) => r.op === 'create') && raws.some((r) => r.op === 'fetch-hit'));
  for (const row of rows) {
    const raw = raws.find((r) => r.op === row.op && r.concurrency === row.concurrency && r.mode === row.mode);
    if (row.driver === 'raw' || raw === undefined)
      assert.equal(row.overheadRatio, null, `${row.driver} ${row.op} has no ratio`);
    // Closed-loop rows come from the profile's interleaved rounds (list and cleanup-expired from one): a ratio is
    // the median of the per-round ratios, with its interval; from one round, p50 / p50.
    else if (row.roundP50sUs === undefined) assert.equal(row.overheadRatio, row.p50Us / raw.p50Us);
    const rounds =
      row.mode === 'closed-loop' && !/^(prefill|list|cleanup-)/.test(row.op) ? PROFILES.quick.bench.rounds : undefined;
    assert.equal(row.roundP50sUs?.length, rounds, `${row.driver} ${row.op} rounds`);
    if (row.overheadRatio === null || rounds === undefined) {
      assert.equal(row.overheadRatioInterval, undefined);
    } else {
      // Round i's ratio pairs round i of each side (test/stats.test.ts checks the interval itself).
      const ratios = row.roundP50sUs!.map((p50, i) => p50 / raw!.roundP50sUs![i]!);
      assert.equal(row.overheadRatio, median(ratios));
      assert.deepEqual(row.overheadRatioInterval, { ...medianInterval(ratios, 0.95), rounds });
    }
  }
  // A Map completes in the same turn: no rows above 1 in flight, and the run says so.
  assert.ok(rows.every((r) => r.concurrency === 1));
  assert.ok(lines.some((l) => /rows above 1 in flight skipped/.test(l)));
  const open = rows.filter((r) => r.mode === 'open-loop');
  assert.deepEqual(
    open.map((r) => [r.op, r.arrivalRate, r.samples]),
    [
      ['fetch-hit', 1000, 50],
      ['mixed:web', 1000, 50],
    ],
  );
  if ((globalThis as { gc?: unknown }).gc === undefined)
    assert.equal(lines.filter((l) => /--expose-gc/.test(l)).length, 1);
  const table = formatTable(rows);
  assert.equal(table.trimEnd().split('\n').length, rows.length + 2);
});

/** memory behind a real event-loop turn per call: an "async" plug-in, without a raw driver. */
const yieldingMemory: BackendModule = {
  name: 'yielding-memory',
  capabilities: memory.capabilities,
  async open(context) {
    const inner = await memory.open(context);
    const turn = () => new Promise<void>((resolve) => setImmediate(resolve));
    const wrapped: SessionBackend = {
      store: async (s, o) => (await turn(), inner.store(s, o)),
      fetch: async (id, now) => (await turn(), inner.fetch(id, now)),
      delete: async (id) => (await turn(), inner.delete(id)),
      list: (now) => inner.list(now),
      cleanupExpired: (now) => inner.cleanupExpired(now),
      close: () => inner.close(),
    };
    return wrapped;
  },
};

test('an async plug-in gets rows at 64 in flight and no raw rows', async () => {
  const rows = await runBenchmarks([{ name: 'plug', module: yieldingMemory }], {
    profile: 'quick',
    ops: ['fetch-hit', 'list'],
    datasetSizes: [100],
    payloads: [200],
    timeMs: 10,
    onProgress: () => {},
  });
  for (const row of rows) assertWellFormed(row);
  assert.ok(rows.every((r) => r.driver === 'backend' && r.overheadRatio === null));
  assert.deepEqual(
    rows.map((r) => [r.op, r.concurrency]),
    [
      ['prefill', PREFILL_CONCURRENCY],
      ['fetch-hit', 1],
      ['fetch-hit', 64],
      ['list', 1],
    ],
  );
});

function busyWait(ms: number): void {
  const end = process.hrtime.bigint() + BigInt(ms * 1e6);
  while (process.hrtime.bigint() < end);
}

test('open loop times each operation from its intended start: one stall delays every arrival during it', async () => {
  // The third operation blocks the event loop for STALL ms. Arrivals intended in the first half
  // of the stall can't finish before it ends, so at 500/s at least ~15 of them wait >= STALL/2.
  // Bounds hold whatever the machine's speed: a slower machine only adds latency.
  const STALL = 60;
  let calls = 0;
  const runner = {
    async run() {
      if (++calls === 3) busyWait(STALL);
      return 0;
    },
  };
  const m = await measureOpenLoop(runner, { rate: 500, durationMs: 600, maxInFlight: 1 });
  assert.equal(m.sortedUs.length, 300, 'exactly rate x duration arrivals, each measured');
  const delayed = Array.from(m.sortedUs).filter((us) => us >= (STALL / 2) * 1000).length;
  assert.ok(delayed >= 8, `${delayed} arrivals waited out the stall`);
  assert.ok(m.percentiles!.maxUs >= STALL * 1000 * 0.99, 'the stalled operation itself');
  assert.ok(m.percentiles!.p50Us <= m.percentiles!.p99Us && m.percentiles!.p99Us <= m.percentiles!.maxUs);
});

test('redis: the run leaves no key behind on its server', async (t) => {
  const provided = await privateRedis(t);
  if (provided === undefined) return;
  try {
    const { default: redis } = await import('../backends/redis.js');
    const rows = await runBenchmarks([{ name: 'redis', module: redis, openOptions: { url: provided.url } }], {
      profile: 'quick',
      ops: ['create', 'fetch-hit', 'delete', 'cleanup-expired'],
      datasetSizes: [100],
      payloads: [200],
      concurrency: [1, 64],
      timeMs: 5,
      onProgress: () => {},
    });
    for (const row of rows) assertWellFormed(row);
    const ratio = rows.find(
      (r) => r.driver === 'backend' && r.op === 'fetch-hit' && r.concurrency === 64,
    )?.overheadRatio;
    assert.ok(typeof ratio === 'number' && Number.isFinite(ratio), 'a ratio at 64 in flight');
    const { Redis } = await import('ioredis');
    const client = new Redis(provided.url, { connectTimeout: 2000, commandTimeout: 2000, maxRetriesPerRequest: 1 });
    try {
      assert.equal(await client.dbsize(), 0);
    } finally {
      client.disconnect();
    }
  } finally {
    await provided.stop();
  }
});

test('raw drivers do the storage work they are measured for', async (t) => {
  const redis = await privateRedis(t);
  const dir = mkdtempSync(join(tmpdir(), 'sessionbench-raw-'));
  try {
    for (const name of ['memory', 'sqlite', 'lmdb', ...(redis === undefined ? [] : ['redis'])]) {
      const open = await rawDriverFor(await loadReferenceBackend(name));
      assert.ok(open !== undefined, `${name} has a raw driver`);
      const driver = await open({
        dir: mkdtempSync(join(dir, `${name}-`)),
        namespace: `raw-test-${process.pid}`,
        options: { url: redis?.url },
      });
      try {
        const dataset = new Dataset(3, 200, 5);
        await driver.loadAll([dataset.session(0), dataset.session(1)]);
        await driver.insert(dataset.session(2, EXPIRED_TIMEOUT_MS));
        assert.deepEqual(await driver.get(dataset.id(1)), dataset.session(1), name);
        assert.equal(await driver.get(dataset.missingId(0)), undefined, name);
        await driver.put({ ...dataset.session(0), version: 2 });
        assert.equal((await driver.get(dataset.id(0)))?.version, 2, name);
        if (driver.listLive)
          assert.deepEqual((await driver.listLive(BENCH_NOW)).sort(), [dataset.id(0), dataset.id(1)].sort(), name);
        if (driver.removeExpired) assert.equal(await driver.removeExpired(BENCH_NOW), 1, name);
        assert.equal(await driver.remove(dataset.id(1)), true, name);
        assert.equal(await driver.remove(dataset.id(1)), false, name);
        assert.equal(await driver.get(dataset.id(1)), undefined, name);
      } finally {
        await driver.close();
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await redis?.stop();
  }
});

test('sqlite and lmdb: tiny runs with a ratio for every op their raw driver has', async () => {
  for (const name of ['sqlite', 'lmdb']) {
    const rows = await runBenchmarks([{ name, module: await loadReferenceBackend(name) }], {
      profile: 'quick',
      ops: ['create', 'fetch-hit', 'list', 'cleanup-expired'],
      datasetSizes: [100],
      payloads: [200],
      concurrency: [1],
      timeMs: 3,
      onProgress: () => {},
    });
    for (const row of rows) assertWellFormed(row);
    for (const op of ['create', 'fetch-hit', 'list', 'cleanup-expired', 'cleanup-per-session']) {
      const ratio = rows.find((r) => r.driver === 'backend' && r.op === op)?.overheadRatio;
      assert.ok(typeof ratio === 'number' && Number.isFinite(ratio), `${name} ${op} has a ratio`);
    }
  }
});

test('the ratio budget fails the memory backend slowed 2x on purpose, measured beside the raw driver', async () => {
  // The gate on a real slowdown, not on a timing: backend and raw run in interleaved rounds, so
  // the ratio (about 2x memory's ~0.9 for create) is what the default budget (1.35) judges by its
  // interval. More time than quick, for an interval well clear of the limit.
  const rows = await runBenchmarks(
    [{ name: 'memory', module: slowedMemory2x, rawDriver: await rawDriverFor(memory) }],
    {
      profile: 'quick',
      ops: ['create'],
      datasetSizes: [1000],
      rounds: 40,
      timeMs: 480,
      onProgress: () => {},
    },
  );
  const create = rows.find((r) => r.driver === 'backend' && r.op === 'create')!;
  assert.equal(create.overheadRatioInterval?.rounds, 40);
  const checks = checkBudgets(loadBudgets(), 'memory', rows).filter(
    (c) => c.metric === 'overheadRatio' && c.status !== 'skipped',
  );
  assert.deepEqual(
    checks.map((c) => [c.conditions.op, c.status]),
    [['create', 'failed']],
    JSON.stringify(create.overheadRatioInterval),
  );
  assert.ok(checks[0]!.interval!.low > checks[0]!.limit);
  assert.equal(budgetsGate('memory', checkBudgets(loadBudgets(), 'memory', rows)).status, 'failed');
});
