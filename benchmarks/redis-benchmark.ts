// redis-benchmark, Redis's own C load generator, against the same server in the same run: the
// ceiling the raw ioredis rows are judged against. It GETs one key holding as many bytes as a
// stored session's JSON, from as many connections as the row has in flight.
import { spawn } from 'node:child_process';
import { connectRedis, redisConnectionOptions } from '../backends/redis-client.js';
import { withTimeout } from '../backends/timeout.js';
import type { LatencySummary } from './stats.js';

/** The raw row redis-benchmark's GET gives (its own op: no backend row is compared with it). */
export const REDIS_BENCHMARK_OP = 'redis-benchmark:get';
/** Requests per second of a row's time budget: about the rate of a single-threaded Redis's GET. */
const REQUESTS_PER_SECOND = 100_000;
const MIN_REQUESTS = 10_000;
/** Beyond its expected run time: its start, and a machine far slower than expected. */
const TIMEOUT_MS = 60_000;

export interface RedisBenchmarkRun {
  /** OpenContext.options of the redis backend: the server's URL. */
  openOptions?: Record<string, unknown>;
  /** A key of the run's own namespace, removed afterwards. */
  key: string;
  valueBytes: number;
  concurrency: number;
  /** The time budget of one row (ms): the request count follows from it. */
  timeMs: number;
  /** The binary; default redis-benchmark from PATH. */
  command?: string;
}

export interface RedisBenchmarkResult {
  requests: number;
  opsPerSec: number;
  percentiles: LatencySummary;
  /** What the row's figures mean beyond its fields (redis-benchmark prints no p99.9 and no margin of error). */
  note: string;
}

/** The figures of the first test in redis-benchmark's --csv output (Redis 7: rate and latency percentiles in ms). */
export function parseRedisBenchmarkCsv(text: string): { opsPerSec: number; percentiles: LatencySummary } {
  const lines = text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.startsWith('"'));
  const cells = (line: string): string[] => [...line.matchAll(/"([^"]*)"/g)].map((m) => m[1]!);
  const header = cells(lines[0] ?? '');
  const values = cells(lines[1] ?? '');
  const field = (name: string): number => {
    const value = Number(values[header.indexOf(name)]);
    if (!header.includes(name) || !Number.isFinite(value))
      throw new Error(
        `redis-benchmark printed no ${name} (Redis 7's --csv has it): ${JSON.stringify(text.slice(0, 300))}`,
      );
    return value;
  };
  const us = (name: string): number => field(name) * 1000;
  const opsPerSec = field('rps');
  const [p50Us, p95Us, p99Us, maxUs] = ['p50', 'p95', 'p99', 'max'].map((p) => us(`${p}_latency_ms`)) as [
    number,
    number,
    number,
    number,
  ];
  return { opsPerSec, percentiles: { p50Us, p95Us, p99Us, p999Us: maxUs, maxUs } };
}

/** The connection arguments of a redis:// or rediss:// URL. */
function connectionArgs(url: string): string[] {
  const u = new URL(url);
  const args = ['-h', u.hostname.replace(/^\[|\]$/g, ''), '-p', u.port || '6379'];
  if (u.username !== '') args.push('--user', decodeURIComponent(u.username));
  if (u.password !== '') args.push('-a', decodeURIComponent(u.password));
  const db = u.pathname.slice(1);
  if (db !== '') args.push('--dbnum', db);
  if (u.protocol === 'rediss:') args.push('--tls');
  return args;
}

/** Runs the binary; undefined when it is not installed. */
async function run(command: string, args: string[]): Promise<string | undefined> {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const finished = new Promise<string | undefined>((resolve, reject) => {
    child.on('error', (err: NodeJS.ErrnoException) => (err.code === 'ENOENT' ? resolve(undefined) : reject(err)));
    child.on('close', (code) =>
      code === 0
        ? resolve(stdout)
        : reject(new Error(`redis-benchmark exited ${code}: ${stderr.trim().slice(0, 300)}`)),
    );
  });
  try {
    return await withTimeout(finished, TIMEOUT_MS, `redis-benchmark did not finish in ${TIMEOUT_MS} ms`);
  } finally {
    if (child.exitCode === null && child.pid !== undefined) child.kill('SIGKILL');
  }
}

/** redis-benchmark's GET rate and latencies; a `skipped` reason when it is not installed. */
export async function runRedisBenchmark(
  options: RedisBenchmarkRun,
): Promise<RedisBenchmarkResult | { skipped: string }> {
  const connection = redisConnectionOptions(options.openOptions);
  const requests = Math.max(MIN_REQUESTS, Math.round((options.timeMs / 1000) * REQUESTS_PER_SECOND));
  const client = await connectRedis(connection);
  try {
    await client.set(options.key, 'x'.repeat(options.valueBytes));
    const args = [
      ...connectionArgs(connection.url),
      '-c',
      String(options.concurrency),
      '-n',
      String(requests),
      '--csv',
      'GET',
      options.key,
    ];
    const output = await run(options.command ?? 'redis-benchmark', args);
    if (output === undefined) return { skipped: 'redis-benchmark is not installed (not on PATH)' };
    return {
      requests,
      ...parseRedisBenchmarkCsv(output),
      note: `redis-benchmark -c ${options.concurrency} -n ${requests} GET of a ${options.valueBytes}-byte value; p99.9 is its max and rme 0 (it prints neither)`,
    };
  } finally {
    await client.del(options.key).finally(() => client.quit());
  }
}
