// Crash durability: a child stores sessions in a loop and prints each acknowledged write; it is
// SIGKILLed at a random moment (after a random number of acks, plus 0-3 ms), then the store is
// reopened here and every session ever acknowledged must come back at its acknowledged version
// or a later one, exactly as written. SIGKILL tests a process crash: the OS page cache survives,
// so it measures what a backend loses between its own buffers and the kernel, not power loss.
import { isDeepStrictEqual } from 'node:util';
import type { SessionBackend } from '../../backends/contract.js';
import type { Durability } from '../../backends/options.js';
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
  /** Server kills only: ms from each restart of the server to it answering again (crash recovery included). */
  restartMs?: { median: number; max: number };
}

const NAMESPACE = 'crash';
const MAX_EXAMPLES = 5;

/** What the kills add up to: each session's highest acknowledged version, and the problems found. */
export interface Tally {
  acked: Map<string, number>;
  /** Ids, so a session missing after several kills counts (and is noted) once. */
  missing: Set<string>;
  changed: Set<string>;
  openFailures: number;
  examples: string[];
}

export async function runCrashDurability(options: CrashOptions): Promise<CrashResult> {
  const { backend: name, durability, kills, dir } = options;
  const seed = options.seed ?? 1;
  const random = mulberry32(seed);
  const childTimeoutMs = options.childTimeoutMs ?? 30_000;
  const module = await loadFaultBackend(name);
  const openOptions = { durability };
  const reopen = (): Promise<SessionBackend> => module.open({ dir, namespace: NAMESPACE, options: openOptions });
  const tally = newTally();
  for (let cycle = 0; cycle < kills; cycle++) {
    const request: CrashChildRequest = {
      backend: name,
      dir,
      namespace: NAMESPACE,
      options: openOptions,
      prefix: `k${cycle}`,
      seed: seed + cycle,
    };
    const killAfter = randomInt(random, 1, options.maxAcksBeforeKill ?? 40);
    const killDelayMs = randomInt(random, 0, 3);
    await writeUntilKilled(request, killAfter, killDelayMs, childTimeoutMs, tally.acked);
    await checkAfterReopen(reopen, cycle, tally);
  }
  return crashResult(name, durability, kills, tally);
}

export function newTally(): Tally {
  return { acked: new Map(), missing: new Set(), changed: new Set(), openFailures: 0, examples: [] };
}

export function crashResult(backend: string, durability: Durability, kills: number, tally: Tally): CrashResult {
  const { acked, missing, changed, openFailures, examples } = tally;
  return {
    backend,
    durability,
    kills,
    acknowledged: acked.size,
    missing: missing.size,
    changed: changed.size,
    openFailures,
    examples,
  };
}

/** Runs the crash child until it has acknowledged killAfter writes, then killDelayMs more, and SIGKILLs it; every ack goes into `acked`. */
async function writeUntilKilled(
  request: CrashChildRequest,
  killAfter: number,
  killDelayMs: number,
  childTimeoutMs: number,
  acked: Map<string, number>,
): Promise<void> {
  const ready = waitFor(`the crash child (${request.backend}) to report ready and ${killAfter} acks`, childTimeoutMs);
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
}

/** Reopens the store after kill `cycle` and reads back every session acknowledged so far; a failed reopen is counted instead. */
export async function checkAfterReopen(
  reopen: () => Promise<SessionBackend>,
  cycle: number,
  tally: Tally,
): Promise<void> {
  let backend;
  try {
    backend = await reopen();
  } catch (err) {
    tally.openFailures++;
    note(tally, `kill ${cycle}: reopen failed (${errorCode(err) ?? 'no code'}): ${(err as Error).message}`);
    return;
  }
  try {
    for (const [id, version] of tally.acked) await checkSession(backend, id, version, cycle, tally);
  } finally {
    await backend.close();
  }
}

/** One acknowledged session: missing, changed (unreadable, at an older version, or other content), or intact. */
async function checkSession(
  backend: SessionBackend,
  id: string,
  version: number,
  cycle: number,
  tally: Tally,
): Promise<void> {
  let got;
  try {
    got = await backend.fetch(id, CRASH_NOW);
  } catch (err) {
    if (!tally.changed.has(id))
      note(
        tally,
        `kill ${cycle}: ${id} can't be read back (${errorCode(err) ?? 'no code'}): ${(err as Error).message}`,
      );
    tally.changed.add(id);
    return;
  }
  if (got === undefined) {
    if (!tally.missing.has(id)) note(tally, `kill ${cycle}: ${id} (acknowledged at version ${version}) is missing`);
    tally.missing.add(id);
  } else if (got.version < version || !isDeepStrictEqual(got, crashSession(id, got.version))) {
    if (!tally.changed.has(id))
      note(tally, `kill ${cycle}: ${id} acknowledged at version ${version} reads back as version ${got.version}`);
    tally.changed.add(id);
  }
}

function note(tally: Tally, problem: string): void {
  if (tally.examples.length < MAX_EXAMPLES) tally.examples.push(problem);
}
