// Corruption: a closed sqlite or lmdb store is damaged (random bytes, a burst of garbage, a zeroed
// page, truncation; seeded), then reopened in a child process. Each trial must either fail with
// CORRUPT or read back only sessions exactly as stored (a session may be lost, never altered); a
// crash of the child is counted, never suffered. Neither SQLite nor LMDB checksums its pages, so a
// byte flipped inside a stored JSON text can read back as another valid session: that is what
// read-wrong counts, and what the `+aes` variants (authenticated encryption) must bring to 0.
import fs from 'node:fs';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import type { Session } from '../../backends/contract.js';
import { mulberry32 } from '../random.js';
import { loadFaultBackend } from './backends.js';
import { spawnScript } from './child.js';
import { randomInt } from './random.js';
import type { Outcome, ReopenRequest, ReopenResult } from './reopen-child.js';

export interface CorruptionOptions {
  backend: string;
  trials: number;
  /** A working directory (trial copies go under it). */
  dir: string;
  /** Open options, e.g. { integrityCheck: true }, { encryptionKey } for +aes. */
  options?: Record<string, unknown>;
  seed?: number;
  /** Sessions in the store before it is damaged. */
  sessions?: number;
  /** A child that gives no result for one trial this long is killed and counted as crashed. */
  trialTimeoutMs?: number;
}

export interface CorruptionResult {
  backend: string;
  options: Record<string, unknown>;
  trials: number;
  /** Trials where the open or a read failed with CORRUPT (and nothing read was wrong). */
  corruptErrors: number;
  /** Trials where everything read back was exactly as stored (sessions may be missing). */
  readOk: number;
  /** Trials where a session read back differs from what was stored. Must be 0. */
  readWrong: number;
  /**
   * Trials where every session read back was right but list() named an id never stored: a
   * damaged index key that still decodes. Must be 0 (lmdb confirms index entries against their
   * records; sqlite's integrityCheck compares index and table), counted apart from readWrong.
   */
  listStrangers: number;
  /** Trials where the reopening process died (signal, abnormal exit) or hung. Must be 0. */
  crashed: number;
  /** Trials that failed with another error than CORRUPT (a contract breach, shown in examples). */
  otherErrors: number;
  /** Sessions that vanished without an error, over all trials. */
  sessionsLost: number;
  examples: string[];
}

const NAMESPACE = 'corruption';
const NOW = 1_700_000_000_000;
const MAX_EXAMPLES = 5;
const PAGE = 4096;

function storedSessions(count: number): Session[] {
  return Array.from({ length: count }, (_, n) => ({
    id: n % 3 === 0 ? `session-${n}` : n % 3 === 1 ? `s*${n}:{x}'%_` : `${'é'.repeat(n % 7)}/${n}`,
    createdAt: NOW - 1000 * n,
    lastAccessedAt: NOW - n,
    timeoutMs: n % 2 === 0 ? null : 86_400_000,
    version: 1 + (n % 5),
    metadata: { n, user: `user-${n}`, roles: ['a', 'b', n], nested: { flag: n % 2 === 0, text: 'x'.repeat(40 + n) } },
  }));
}

/** Damages one data file of `dir` (lock and shared-memory files aside); says how. */
function damage(dir: string, random: () => number): string {
  const files = fs
    .readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((name) => path.join(dir, name))
    .filter((file) => fs.statSync(file).isFile() && !/lock|-shm$/.test(file));
  const file = files[randomInt(random, 0, files.length - 1)]!;
  const size = fs.statSync(file).size;
  const where = path.relative(dir, file);
  if (size === 0) return `${where}: empty, left as is`;
  const mode = randomInt(random, 0, 3);
  if (mode === 3) {
    const length = randomInt(random, 0, size - 1);
    fs.truncateSync(file, length);
    return `${where}: truncated to ${length} of ${size} bytes`;
  }
  const fd = fs.openSync(file, 'r+');
  try {
    if (mode === 0) {
      const count = randomInt(random, 1, 8);
      for (let i = 0; i < count; i++)
        fs.writeSync(fd, Buffer.of(randomInt(random, 0, 255)), 0, 1, randomInt(random, 0, size - 1));
      return `${where}: ${count} random bytes`;
    }
    if (mode === 1) {
      const length = Math.min(randomInt(random, 16, 512), size);
      const offset = randomInt(random, 0, size - length);
      fs.writeSync(fd, Buffer.from(Array.from({ length }, () => randomInt(random, 0, 255))), 0, length, offset);
      return `${where}: ${length} random bytes at ${offset}`;
    }
    const page = randomInt(random, 0, Math.ceil(size / PAGE) - 1);
    fs.writeSync(
      fd,
      Buffer.alloc(Math.min(PAGE, size - page * PAGE)),
      0,
      Math.min(PAGE, size - page * PAGE),
      page * PAGE,
    );
    return `${where}: page ${page} zeroed`;
  } finally {
    fs.closeSync(fd);
  }
}

type Verdict = 'corrupt' | 'ok' | 'wrong' | 'stranger' | 'other';

/** What one reopen means, and how many sessions vanished without a word. */
function judge(result: ReopenResult, expected: Map<string, Session>): { verdict: Verdict; lost: number; why?: string } {
  if (!result.opened)
    return result.code === 'CORRUPT'
      ? { verdict: 'corrupt', lost: 0 }
      : { verdict: 'other', lost: 0, why: `open: ${result.code} ${result.message}` };
  let lost = 0;
  let corrupt = false;
  let other: string | undefined;
  const outcomes: [string, Outcome<unknown>][] = [
    ['list', result.list],
    ...result.fetched.map(({ id, got }): [string, Outcome<unknown>] => [`fetch ${JSON.stringify(id)}`, got]),
  ];
  for (const [what, outcome] of outcomes) {
    if ('value' in outcome) continue;
    if (outcome.code === 'CORRUPT') corrupt = true;
    else other ??= `${what}: ${outcome.code} ${outcome.message}`;
  }
  const stranger = 'value' in result.list ? result.list.value.find((id) => !expected.has(id)) : undefined;
  for (const { id, got } of result.fetched) {
    if (!('value' in got)) continue;
    if (got.value === null) lost++;
    else if (!isDeepStrictEqual(got.value, expected.get(id))) {
      return {
        verdict: 'wrong',
        lost,
        why: `fetch ${JSON.stringify(id)} read ${JSON.stringify(got.value).slice(0, 200)}`,
      };
    }
  }
  if (stranger !== undefined)
    return { verdict: 'stranger', lost, why: `list names ${JSON.stringify(stranger)}, never stored` };
  if (corrupt) return { verdict: 'corrupt', lost };
  if (other !== undefined) return { verdict: 'other', lost, why: other };
  return { verdict: 'ok', lost };
}

/** What the trials share: the sessions expected back, how each trial's copy was damaged, the trials left, the tally. */
interface Trials {
  expected: Map<string, Session>;
  how: Map<number, string>;
  pending: { trial: number; dir: string }[];
  result: CorruptionResult;
  trialTimeoutMs: number;
}

export async function runCorruption(options: CorruptionOptions): Promise<CorruptionResult> {
  const openOptions = options.options ?? {};
  const random = mulberry32(options.seed ?? 1);
  const sessions = storedSessions(options.sessions ?? 30);
  const template = path.join(options.dir, 'template');
  await storeTemplate(options.backend, template, openOptions, sessions);
  const trials: Trials = {
    expected: new Map(sessions.map((s) => [s.id, s])),
    ...damagedCopies(template, options.dir, options.trials, random),
    result: {
      backend: options.backend,
      options: Object.fromEntries(Object.entries(openOptions).filter(([key]) => key !== 'encryptionKey')),
      trials: options.trials,
      corruptErrors: 0,
      readOk: 0,
      readWrong: 0,
      listStrangers: 0,
      crashed: 0,
      otherErrors: 0,
      sessionsLost: 0,
      examples: [],
    },
    trialTimeoutMs: options.trialTimeoutMs ?? 30_000,
  };
  // One child works through the trials; when it dies, the trial it was on is counted and a new child takes the rest.
  while (trials.pending.length > 0) {
    const end = await reopenInChild(trials, options.backend, openOptions);
    if (trials.pending.length === 0) break;
    countCrash(trials, end);
  }
  for (let trial = 0; trial < options.trials; trial++)
    fs.rmSync(trialDir(options.dir, trial), { recursive: true, force: true });
  return trials.result;
}

/** The undamaged store every trial copies: `sessions` stored at `dir`, then closed. */
async function storeTemplate(
  name: string,
  dir: string,
  openOptions: Record<string, unknown>,
  sessions: Session[],
): Promise<void> {
  const module = await loadFaultBackend(name);
  const backend = await module.open({ dir, namespace: NAMESPACE, options: openOptions });
  try {
    for (const session of sessions) await backend.store(session);
  } finally {
    await backend.close();
  }
}

function trialDir(dir: string, trial: number): string {
  return path.join(dir, `trial-${trial}`);
}

/** A damaged copy of the template per trial, and how each was damaged (for the examples). */
function damagedCopies(
  template: string,
  dir: string,
  count: number,
  random: () => number,
): Pick<Trials, 'how' | 'pending'> {
  const how = new Map<number, string>();
  const pending: { trial: number; dir: string }[] = [];
  for (let trial = 0; trial < count; trial++) {
    const copy = trialDir(dir, trial);
    fs.cpSync(template, copy, { recursive: true });
    how.set(trial, damage(copy, random));
    pending.push({ trial, dir: copy });
  }
  return { how, pending };
}

/** How a reopen child ended: the trial it was on (if it had started one and given no result), its exit, whether it was killed for hanging. */
interface ChildEnd {
  current: number | undefined;
  hung: boolean;
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
}

/** One child reopening the trials left in turn; each result is tallied (and its trial taken off pending) as it arrives. */
async function reopenInChild(trials: Trials, backend: string, openOptions: Record<string, unknown>): Promise<ChildEnd> {
  const request: ReopenRequest = {
    backend,
    namespace: NAMESPACE,
    options: openOptions,
    trials: [...trials.pending],
    ids: [...trials.expected.keys()],
    now: NOW,
  };
  let current: number | undefined;
  const watchdog = trialWatchdog(() => child.process.kill('SIGKILL'), trials.trialTimeoutMs);
  const child = spawnScript('reopen-child', request, (line) => {
    const start = /^start (\d+)$/.exec(line);
    if (start !== null) {
      current = Number(start[1]);
      watchdog.restart();
      return;
    }
    const done = /^result (\d+) (.*)$/.exec(line);
    if (done === null) return;
    const trial = Number(done[1]);
    current = undefined;
    trials.pending.shift();
    tally(trials, trial, JSON.parse(done[2]!) as ReopenResult);
  });
  const { code, signal } = await child.exited;
  watchdog.clear();
  return { current, hung: watchdog.fired(), code, signal, stderr: child.stderr() };
}

/** Calls kill when a trial gives no result within timeoutMs of restart() (called at each trial's start). */
function trialWatchdog(kill: () => void, timeoutMs: number): { restart(): void; clear(): void; fired(): boolean } {
  let timer: NodeJS.Timeout | undefined;
  let fired = false;
  return {
    restart: () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        fired = true;
        kill();
      }, timeoutMs);
    },
    clear: () => clearTimeout(timer),
    fired: () => fired,
  };
}

function tally(trials: Trials, trial: number, reopened: ReopenResult): void {
  const { result } = trials;
  const { verdict, lost, why } = judge(reopened, trials.expected);
  result.sessionsLost += lost;
  if (verdict === 'corrupt') result.corruptErrors++;
  else if (verdict === 'ok') result.readOk++;
  else if (verdict === 'wrong') (result.readWrong++, note(trials, trial, `read wrong: ${why}`));
  else if (verdict === 'stranger') (result.listStrangers++, note(trials, trial, `list stranger: ${why}`));
  else (result.otherErrors++, note(trials, trial, `other error: ${why}`));
}

/** A child died (or was killed for hanging) with trials left: the one it was on (or about to start) crashed it. */
function countCrash(trials: Trials, end: ChildEnd): void {
  const trial = end.current ?? trials.pending[0]!.trial;
  if (trials.pending[0]?.trial === trial) trials.pending.shift();
  trials.result.crashed++;
  note(
    trials,
    trial,
    end.hung
      ? `hung for ${trials.trialTimeoutMs} ms`
      : `reopen process died (code ${end.code}, signal ${end.signal}): ${end.stderr.slice(-300)}`,
  );
}

function note(trials: Trials, trial: number, what: string): void {
  if (trials.result.examples.length < MAX_EXAMPLES)
    trials.result.examples.push(`trial ${trial} (${trials.how.get(trial)}): ${what}`);
}
