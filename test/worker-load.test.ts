// Load from several processes, and the redis-benchmark reference row: their machinery, never
// their timings. Worker processes open their own connections to the data the parent wrote, their
// samples merge exactly, rows say how many drove them; redis-benchmark's real output is parsed,
// and a machine without it skips the row with a note.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import redis from '../backends/redis.js';
import { loadReferenceBackend } from '../backends/registry.js';
import { providePostgres } from '../backends/servers/postgres-provider.js';
import { privateRedis } from './helpers/private-redis.js';
import { BENCH_NOW, Dataset } from '../benchmarks/dataset.js';
import { type BenchOptions, runBenchmarks } from '../benchmarks/index.js';
import { resolveMix } from '../benchmarks/mixes.js';
import { rawDriverFor } from '../benchmarks/raw.js';
import type { RawDriverFactory } from '../benchmarks/raw-driver.js';
import { parseRedisBenchmarkCsv, REDIS_BENCHMARK_OP, runRedisBenchmark } from '../benchmarks/redis-benchmark.js';
import { firstCreatedIndex, mergeWorkers, shares, WorkerLoad } from '../benchmarks/worker-load.js';
import { serverRequired } from '../backends/servers/provide.js';

const ROUND = { timeMs: 20, warmupMs: 5, iterations: 10, warmupIterations: 5, gc: false };

test('in flight is shared evenly; merged samples are every worker sample, sorted, rates added', () => {
  assert.deepEqual(shares(64, 2), [32, 32]);
  assert.deepEqual(shares(64, 3), [22, 21, 21]);
  assert.deepEqual(shares(2, 4), [1, 1, 0, 0]);
  const merged = mergeWorkers([
    { sortedUs: Float64Array.from([1, 5, 9]), opsPerSec: 100, rme: 1 },
    { sortedUs: Float64Array.from([2, 3]), opsPerSec: 50, rme: 1 },
  ]);
  assert.deepEqual(Array.from(merged.sortedUs), [1, 2, 3, 5, 9]);
  assert.equal(merged.opsPerSec, 150);
  // Created ids stay apart: the parent from size on, child k from its own 2^28 block.
  assert.ok(firstCreatedIndex(100, 0) > 100 && firstCreatedIndex(100, 1) - firstCreatedIndex(100, 0) === 2 ** 28);
  assert.ok(
    firstCreatedIndex(1_000_000, 3) + 2 ** 28 <= 2 ** 32,
    'four children fit in the 32 bits of index an id holds',
  );
});

test('worker processes drive the parent data over their own connections; merged count = sum of theirs', async (t) => {
  const provided = await privateRedis(t);
  if (provided === undefined) return;
  const dir = mkdtempSync(join(tmpdir(), 'sessionbench-workers-'));
  const namespace = `sessionbench-workers-${process.pid}`;
  const options = { url: provided.url };
  const dataset = new Dataset(50, 200, 1);
  const backend = await redis.open({ dir, namespace, options });
  let load: WorkerLoad | undefined;
  try {
    for (let i = 0; i < dataset.size; i++) await backend.store(dataset.session(i));
    load = await WorkerLoad.start(
      {
        backend: 'redis',
        dir,
        namespace,
        openOptions: options,
        dataset: { size: dataset.size, payloadBytes: dataset.payloadBytes, seed: dataset.seed },
        seed: 1,
        mixes: [resolveMix('web')],
      },
      2,
    );
    assert.equal(load.size, 2);
    for (const op of ['fetch-hit', 'mixed:web']) {
      const { merged, parts } = await load.measure('backend', op, { ...ROUND, concurrency: 8 });
      assert.equal(parts.length, 2);
      for (const part of parts) assert.ok(part.sortedUs.length > 0, `${op}: each worker measured`);
      assert.equal(merged.sortedUs.length, parts[0]!.sortedUs.length + parts[1]!.sortedUs.length);
      assert.ok(
        Array.from(merged.sortedUs).every((us, i, all) => i === 0 || all[i - 1]! <= us),
        'sorted',
      );
      assert.ok(merged.opsPerSec > 0 && Number.isFinite(merged.rme));
    }
    // Creates from both children land in the parent's namespace, each child in its own id block.
    await load.measure('backend', 'create', { ...ROUND, concurrency: 4 });
    const live = new Set(await backend.list(BENCH_NOW));
    for (const k of [0, 1]) assert.ok(live.has(dataset.id(firstCreatedIndex(dataset.size, k))), `child ${k} created`);
    await assert.rejects(load.measure('raw', 'fetch-hit', { ...ROUND, concurrency: 2 }), /no raw open/);
  } finally {
    await load?.close();
    await backend.cleanupExpired(Number.MAX_SAFE_INTEGER);
    await backend.close();
    rmSync(dir, { recursive: true, force: true });
    await provided.stop();
  }
  assert.ok(
    load!.children.every((c) => c.exited),
    'every worker process exited',
  );
});

test('redis at 64 in flight: backend and raw rows from the same workers, ratio like for like, redis-benchmark row', async (t) => {
  const provided = await privateRedis(t);
  if (provided === undefined) return;
  try {
    const rows = await runBenchmarks([{ name: 'redis', module: redis, openOptions: { url: provided.url } }], {
      profile: 'quick',
      ops: ['fetch-hit'],
      datasetSizes: [100],
      payloads: [200],
      concurrency: [1, 64],
      timeMs: 10,
      rounds: 2,
      workers: 2,
      onProgress: () => {},
    });
    const at = (driver: string, op: string, c: number) =>
      rows.find((r) => r.driver === driver && r.op === op && r.concurrency === c);
    assert.equal(at('backend', 'fetch-hit', 1)?.workers, 1);
    assert.equal(at('raw', 'fetch-hit', 1)?.workers, 1);
    assert.equal(at('backend', 'fetch-hit', 64)?.workers, 2);
    assert.equal(at('raw', 'fetch-hit', 64)?.workers, 2);
    const ratio = at('backend', 'fetch-hit', 64)?.overheadRatio;
    assert.ok(typeof ratio === 'number' && Number.isFinite(ratio));
    assert.equal(at('backend', 'fetch-hit', 64)?.overheadRatioInterval?.rounds, 2);
    // redis-benchmark's real --csv output, parsed into a row of its own.
    const reference = at('raw', REDIS_BENCHMARK_OP, 64);
    assert.ok(reference !== undefined, 'redis-benchmark row (redis-benchmark is installed with redis-server)');
    assert.equal(reference.workers, 1);
    assert.ok(reference.samples >= 10_000 && reference.opsPerSec > 0);
    assert.ok(0 < reference.p50Us && reference.p50Us <= reference.p95Us && reference.p95Us <= reference.p99Us);
    assert.ok(reference.p99Us <= reference.maxUs && reference.p999Us === reference.maxUs);
    assert.match(reference.note ?? '', /redis-benchmark -c 64 -n \d+ GET/);
  } finally {
    await provided.stop();
  }
});

test('without redis-benchmark on PATH the reference row is skipped with a note', async (t) => {
  const provided = await privateRedis(t);
  if (provided === undefined) return;
  const path = process.env.PATH;
  const lines: string[] = [];
  try {
    process.env.PATH = '/nonexistent';
    const rows = await runBenchmarks([{ name: 'redis', module: redis, openOptions: { url: provided.url } }], {
      profile: 'quick',
      ops: ['fetch-hit'],
      datasetSizes: [50],
      payloads: [200],
      concurrency: [64],
      timeMs: 5,
      rounds: 1,
      workers: 1,
      onProgress: (line) => lines.push(line),
    });
    assert.ok(rows.some((r) => r.op === 'fetch-hit' && r.concurrency === 64 && r.workers === 1));
    assert.ok(!rows.some((r) => r.op === REDIS_BENCHMARK_OP));
    assert.ok(lines.some((l) => /redis-benchmark is not installed.*reference row is skipped/.test(l)));
  } finally {
    process.env.PATH = path;
    await provided.stop();
  }
});

test('redis-benchmark output: Redis 7 csv parsed, anything without its percentiles refused', async () => {
  const csv =
    '"test","rps","avg_latency_ms","min_latency_ms","p50_latency_ms","p95_latency_ms","p99_latency_ms","max_latency_ms"\n' +
    '"GET k","30165.91","1.303","0.336","1.087","2.639","5.071","7.815"\n';
  assert.deepEqual(parseRedisBenchmarkCsv(csv), {
    opsPerSec: 30165.91,
    percentiles: { p50Us: 1087, p95Us: 2639, p99Us: 5071, p999Us: 7815, maxUs: 7815 },
  });
  // Redis 6 printed the rate alone.
  assert.throws(() => parseRedisBenchmarkCsv('"test","rps"\n"GET k","30165.91"\n'), /no p50_latency_ms/);
  assert.throws(() => parseRedisBenchmarkCsv('ERR connection refused'), /no rps/);
  // An unreachable server is an error, never a row.
  await assert.rejects(
    runRedisBenchmark({
      openOptions: { url: 'redis://127.0.0.1:1', connectTimeoutMs: 500 },
      key: 'k',
      valueBytes: 10,
      concurrency: 1,
      timeMs: 1,
    }),
    /cannot connect/,
  );
});

test('bulk prefill: rows say so, and rows the backend would not read back stop the run', async (t) => {
  const provided = await privateRedis(t);
  if (provided === undefined) return;
  const options: BenchOptions = {
    profile: 'quick',
    ops: ['fetch-hit'],
    datasetSizes: [200],
    payloads: [200],
    concurrency: [1],
    timeMs: 5,
    rounds: 1,
    bulkPrefillFrom: 100,
    onProgress: () => {},
  };
  try {
    const rows = await runBenchmarks([{ name: 'redis', module: redis, openOptions: { url: provided.url } }], options);
    assert.ok(!rows.some((r) => r.op === 'prefill'), 'no per-store prefill row');
    assert.ok(rows.some((r) => r.driver === 'backend' && r.op === 'fetch-hit'));
    for (const row of rows) assert.match(row.note ?? '', /bulk load/);
    // A raw driver whose bulk load writes another version than the dataset's: caught on read-back.
    const real = (await rawDriverFor(redis))!;
    const skewed: RawDriverFactory = async (context) => {
      const driver = await real(context);
      return {
        ...driver,
        loadAll: (sessions) => driver.loadAll(Array.from(sessions, (s) => ({ ...s, version: s.version + 1 }))),
        close: () => driver.close(),
      };
    };
    await assert.rejects(
      runBenchmarks([{ name: 'redis', module: redis, openOptions: { url: provided.url }, rawDriver: skewed }], options),
      /does not read back through the backend/,
    );
  } finally {
    await provided.stop();
  }
});

test('postgres: the bulk load (INSERT ... unnest) reads back through the backend, and close leaves no row', async (t) => {
  const provided = await providePostgres();
  if ('skipped' in provided) {
    assert.ok(!serverRequired('postgres'), `SESSIONBENCH_REQUIRE_POSTGRES=1 but ${provided.skipped}`);
    return t.skip(provided.skipped);
  }
  const postgres = await loadReferenceBackend('postgres');
  const table = `sessionbench_bulk_${process.pid}`;
  const openOptions = { url: provided.url, table };
  const pool = new pg.Pool({ connectionString: provided.url, query_timeout: 10_000 });
  try {
    const rows = await runBenchmarks([{ name: 'postgres', module: postgres, openOptions }], {
      profile: 'quick',
      ops: ['fetch-hit'],
      datasetSizes: [4500],
      payloads: [200],
      concurrency: [1],
      timeMs: 5,
      rounds: 1,
      bulkPrefillFrom: 100,
      onProgress: () => {},
    });
    assert.ok(rows.every((r) => /bulk load/.test(r.note ?? '')));
    assert.equal((await pool.query(`SELECT count(*)::int AS n FROM ${table}`)).rows[0].n, 0);
  } finally {
    await pool.query(`DROP TABLE IF EXISTS ${table}`);
    await pool.end();
    await provided.stop();
  }
});
