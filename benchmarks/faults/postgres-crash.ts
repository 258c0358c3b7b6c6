// PostgreSQL crash durability: on a private server, several writers store sessions through the
// postgres backend and record each acknowledged write; at a random moment the whole server (the
// postmaster and every child) is SIGKILLed, restarted on the same data directory (crash recovery
// replays the WAL), and every session ever acknowledged must come back at its acknowledged version
// or a later one, exactly as written. With durability 'full' (synchronous_commit on) that is
// gated; with 'normal' (synchronous_commit off: a commit is acknowledged before its WAL is written)
// the loss is measured: the documented trade. SIGKILL spares the kernel's page cache, so this
// shows what the server loses from its own memory (WAL buffers), not what a power cut would add.
import fs from 'node:fs';
import os from 'node:os';
import type { BackendModule, SessionBackend } from '../../backends/contract.js';
import type { Durability } from '../../backends/options.js';
import { loadReferenceBackend } from '../../backends/registry.js';
import { startPostgresServer, type PostgresServer } from '../../backends/servers/postgres-server.js';
import { withTimeout } from '../../backends/timeout.js';
import { mulberry32 } from '../random.js';
import { waitFor } from './child.js';
import { checkAfterReopen, crashResult, newTally, type CrashResult, type Tally } from './crash-durability.js';
import { crashSession } from './crash-session.js';
import { randomInt } from './random.js';

export interface PostgresCrashOptions {
  durability: Durability;
  kills: number;
  /** A postgres-backed module opened with { url, durability, ...options }; default the reference postgres. */
  module?: BackendModule;
  /** Open options beside url and durability (unlogged: true, say). */
  options?: Record<string, unknown>;
  seed?: number;
  /** Writes in flight at once. */
  writers?: number;
  /** Most acks to wait for before a kill (drawn from 1..this). */
  maxAcksBeforeKill?: number;
  /** Bound on each wait: the acks before a kill, a writer's last call, a close, a restart. */
  timeoutMs?: number;
}

const NAMESPACE = 'crash';

export async function runPostgresCrash(options: PostgresCrashOptions): Promise<CrashResult> {
  const { durability, kills } = options;
  const seed = options.seed ?? 1;
  const random = mulberry32(seed);
  const timeoutMs = options.timeoutMs ?? 30_000;
  const module = options.module ?? (await loadReferenceBackend('postgres'));
  const server = await startPostgresServer();
  const openOptions = { ...options.options, url: server.url, durability };
  const open = (): Promise<SessionBackend> =>
    module.open({ dir: os.tmpdir(), namespace: NAMESPACE, options: openOptions });
  const tally = newTally();
  const restarts: number[] = [];
  try {
    for (let cycle = 0; cycle < kills; cycle++) {
      const kill = {
        afterAcks: randomInt(random, 1, options.maxAcksBeforeKill ?? 40),
        delayMs: randomInt(random, 0, 3),
      };
      await writeUntilKilled(
        await open(),
        server,
        { cycle, seed, writers: options.writers ?? 4, timeoutMs },
        kill,
        tally,
      );
      const started = performance.now();
      await withTimeout(server.restart(), timeoutMs, `the server did not restart within ${timeoutMs} ms`);
      restarts.push(performance.now() - started);
      await checkAfterReopen(open, cycle, tally);
    }
  } finally {
    await server.stop();
  }
  return { ...crashResult(module.name, durability, kills, tally), restartMs: spread(restarts) };
}

interface Cycle {
  cycle: number;
  seed: number;
  writers: number;
  timeoutMs: number;
}

/** Writers store until `afterAcks` acks (and `delayMs` more), the server is SIGKILLed, the writers' last calls settle, and the backend is closed. */
async function writeUntilKilled(
  backend: SessionBackend,
  server: PostgresServer,
  { cycle, seed, writers, timeoutMs }: Cycle,
  kill: { afterAcks: number; delayMs: number },
  tally: Tally,
): Promise<void> {
  const enough = waitFor(`${kill.afterAcks} acknowledged writes before kill ${cycle}`, timeoutMs);
  let acks = 0;
  let killed = false;
  const write = async (writer: number): Promise<void> => {
    const random = mulberry32(seed + cycle * writers + writer);
    const versions: number[] = [];
    while (!killed) {
      // One write in four is a new version of an earlier session, so "changed" can show, not only "missing".
      const update = versions.length > 0 && random() < 0.25;
      const n = update ? Math.floor(random() * versions.length) : versions.length;
      const version = (versions[n] ?? 0) + 1;
      const id = `k${cycle}-w${writer}-${n}`;
      try {
        await backend.store(crashSession(id, version));
      } catch (err) {
        if (killed) return; // the kill's doing: unacknowledged, so it may or may not be there
        throw err;
      }
      versions[n] = version;
      tally.acked.set(id, Math.max(tally.acked.get(id) ?? 0, version));
      if (++acks === kill.afterAcks) enough.done();
    }
  };
  const load = Promise.all(Array.from({ length: writers }, (_, writer) => write(writer)));
  load.catch((err: Error) => enough.fail(err));
  try {
    await enough.promise;
    await new Promise((resolve) => setTimeout(resolve, kill.delayMs));
  } finally {
    killed = true;
    crashServer(server.pid);
    // A call in flight fails once its connection drops; one that never settles is a hang, reported as such.
    await withTimeout(
      load.catch(() => {}),
      timeoutMs,
      `a write in flight at kill ${cycle} did not settle within ${timeoutMs} ms`,
    );
    await withTimeout(
      backend.close().catch(() => {}),
      timeoutMs,
      `close after kill ${cycle} did not settle within ${timeoutMs} ms`,
    );
  }
}

/**
 * What a power cut does to the server's processes (which share this process's group, so no group
 * kill): the postmaster frozen so it forks no more, then every child and the postmaster SIGKILLed.
 * Killing the postmaster alone would leave its backends running, and committing, until they noticed.
 */
function crashServer(pid: number): void {
  process.kill(pid, 'SIGSTOP');
  const children = fs.readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').split(' ').filter(Boolean);
  for (const child of children) {
    try {
      process.kill(Number(child), 'SIGKILL');
    } catch {
      // already gone
    }
  }
  process.kill(pid, 'SIGKILL');
}

/** The median and the largest of some durations (ms), rounded. */
function spread(values: number[]): { median: number; max: number } {
  const sorted = [...values].sort((a, b) => a - b);
  return { median: Math.round(sorted[Math.floor(sorted.length / 2)] ?? 0), max: Math.round(sorted.at(-1) ?? 0) };
}
