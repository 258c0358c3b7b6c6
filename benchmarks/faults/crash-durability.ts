// Crash durability: a child stores sessions in a loop and prints each acknowledged write; it is
// SIGKILLed at a random moment (after a random number of acks, plus 0-3 ms), then the store is
// reopened here and every session ever acknowledged must come back at its acknowledged version
// or a later one, exactly as written. SIGKILL tests a process crash: the OS page cache survives,
// so it measures what a backend loses between its own buffers and the kernel, not power loss.
import { isDeepStrictEqual } from 'node:util';
import type { Durability } from '../../backends/lifecycle.js';
import { errorCode } from '../../backends/errors.js';
import { mulberry32 } from '../random.js';
import { loadFaultBackend } from './backends.js';
import { spawnScript, waitFor } from './child.js';
import { CRASH_NOW, crashSession, type CrashChildRequest } from './crash-session.js';
import { randomInt } from './random.js';

export interface CrashOptions {
  backend: string;
  durability: Durability;
  kills: number;
  /** The store's directory (reused across kills). */
  dir: string;
  seed?: number;
  /** Most acks to wait for before a kill (drawn from 1..this). */
  maxAcksBeforeKill?: number;
  /** Bound on each wait for the child (ready, acks, exit). */
  childTimeoutMs?: number;
}

export interface CrashResult {
  backend: string;
  durability: Durability;
  kills: number;
  /** Distinct sessions acknowledged over all kills. */
  acknowledged: number;
  /** Acknowledged sessions that a reopen did not find. */
  missing: number;
  /** Acknowledged sessions found at an older version or with other content. */
  changed: number;
  /** Reopens that failed (the store could not be opened at all). */
  openFailures: number;
  /** A few of the problems, for the report. */
  examples: string[];
}

const NAMESPACE = 'crash';
const MAX_EXAMPLES = 5;

export async function runCrashDurability(options: CrashOptions): Promise<CrashResult> {
  const { backend: name, durability, kills, dir } = options;
  const seed = options.seed ?? 1;
  const random = mulberry32(seed);
  const childTimeoutMs = options.childTimeoutMs ?? 30_000;
  const module = await loadFaultBackend(name);
  const openOptions = { durability };
  const acked = new Map<string, number>();
  const missing = new Set<string>();
  const changed = new Set<string>();
  const examples: string[] = [];
  let openFailures = 0;
  const note = (problem: string): void => void (examples.length < MAX_EXAMPLES && examples.push(problem));

  for (let cycle = 0; cycle < kills; cycle++) {
    const request: CrashChildRequest = { backend: name, dir, namespace: NAMESPACE, options: openOptions, prefix: `k${cycle}`, seed: seed + cycle };
    const killAfter = randomInt(random, 1, options.maxAcksBeforeKill ?? 40);
    const killDelayMs = randomInt(random, 0, 3);
    const ready = waitFor(`the crash child (${name}) to report ready and ${killAfter} acks`, childTimeoutMs);
    let acks = -1; // -1 until ready
    const child = spawnScript('crash-child', request, (line) => {
      if (line === 'ready') acks = 0;
      const ack = /^ack (\d+) (.+)$/.exec(line);
      if (ack === null) return;
      const [, version, id] = ack;
      acked.set(id!, Math.max(acked.get(id!) ?? 0, Number(version)));
      if (++acks === killAfter) ready.done();
    });
    void child.exited.then(({ code, signal }) =>
      ready.fail(new Error(`crash child exited by itself (code ${code}, signal ${signal}):\n${child.stderr()}`)),
    );
    try {
      await ready.promise;
      await new Promise((resolve) => setTimeout(resolve, killDelayMs));
    } finally {
      child.process.kill('SIGKILL');
      // Acks printed before the kill are still in the pipe: exited waits until they are read.
      await child.exited;
    }

    let backend;
    try {
      backend = await module.open({ dir, namespace: NAMESPACE, options: openOptions });
    } catch (err) {
      openFailures++;
      note(`kill ${cycle}: reopen failed (${errorCode(err) ?? 'no code'}): ${(err as Error).message}`);
      continue;
    }
    try {
      for (const [id, version] of acked) {
        let got;
        try {
          got = await backend.fetch(id, CRASH_NOW);
        } catch (err) {
          if (!changed.has(id)) note(`kill ${cycle}: ${id} can't be read back (${errorCode(err) ?? 'no code'}): ${(err as Error).message}`);
          changed.add(id);
          continue;
        }
        if (got === undefined) {
          if (!missing.has(id)) note(`kill ${cycle}: ${id} (acknowledged at version ${version}) is missing`);
          missing.add(id);
        } else if (got.version < version || !isDeepStrictEqual(got, crashSession(id, got.version))) {
          if (!changed.has(id)) note(`kill ${cycle}: ${id} acknowledged at version ${version} reads back as version ${got.version}`);
          changed.add(id);
        }
      }
    } finally {
      await backend.close();
    }
  }
  return { backend: name, durability, kills, acknowledged: acked.size, missing: missing.size, changed: changed.size, openFailures, examples };
}
