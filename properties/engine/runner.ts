// Runs properties on one backend with fc.assert's semantics but keeps the result: fc.check's
// RunDetails become a PropertyResult (status, shrunk counterexample, seed, path, replay command).
import fc from 'fast-check';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BackendModule } from '../../backends/contract.js';
import { type Profile, PROFILES, type SuiteSettings } from '../../backends/profiles.js';
import { withTimeout } from '../../backends/timeout.js';
import { DEFAULT_MAX_SESSION_BYTES } from '../../backends/validate.js';
import type { Capability, ManagerFactory, OptionalMethod, PropertyContext, PropertyDef } from './define.js';
import { SetupError, withFixture } from './fixture.js';
import type { PropertyResult } from './result.js';

export interface SuiteOptions {
  profile?: Profile;
  /** fast-check seed; random when absent. One seed serves every property of the run. */
  seed?: number;
  /**
   * The path a failure reported: with its seed and one `only` id, replays exactly that
   * counterexample. fast-check's path, then for command sequences `@` and fast-check's replayPath.
   */
  path?: string;
  /** Property ids to run; all when absent. */
  only?: string[];
  /** Base directory for the backends' files; a temp dir (removed after) when absent. */
  dir?: string;
  /** Options for every open(), merged over the suite's own (e.g. a redis `url`). */
  openOptions?: Record<string, unknown>;
  /** Builds the SessionManager the manager properties test (the zoo passes faulty ones). */
  createManager?: ManagerFactory;
  /** Told each result as soon as it is known. */
  onResult?: (result: PropertyResult) => void;
  /** How the replay command names the backend: a reference name or a module path. Default: module.name. */
  backend?: string;
  /** Per-property time limit, overriding the profile's. */
  timeoutMs?: number;
  /**
   * false: stop at the first failure without shrinking (for callers who only need to know that a
   * property fails, like the zoo's tests); its seed and path still replay it. Default true.
   */
  shrink?: boolean;
}

/** Room after the time limit for fast-check to stop and report before the run is given up on. */
const DEADLINE_GRACE_MS = 5_000;
const MAX_COUNTEREXAMPLE_CHARS = 20_000;
/** Neither fast-check's path (digits, `:`) nor its replayPath (base64, `:`) contains it. */
const REPLAY_PATH_SEPARATOR = '@';
const OPTIONAL_METHODS: readonly OptionalMethod[] = ['touch'];

function shellWord(word: string): string {
  return /^[\w./:@%+=,-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}

export function replayCommand(backend: string, profile: Profile, id: string, seed: number, path: string): string {
  return [
    'npx sessionbench props --backend',
    shellWord(backend),
    '--profile',
    profile,
    '--only',
    id,
    '--seed',
    String(seed),
    '--path',
    shellWord(path),
  ].join(' ');
}

function truncate(text: string): string {
  return text.length <= MAX_COUNTEREXAMPLE_CHARS
    ? text
    : `${text.slice(0, MAX_COUNTEREXAMPLE_CHARS)}... (${text.length} chars)`;
}

function messageOf(err: unknown): string {
  if (err instanceof Error) return err.message;
  return err === undefined || err === null ? 'the property returned false' : String(err);
}

/** Rejects when `promise` has not settled after `ms`, naming what did not finish. */
function withDeadline<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return withTimeout(promise, ms, `${what} did not finish within ${ms} ms`);
}

function numRuns(def: PropertyDef, profile: SuiteSettings): number {
  return typeof def.runs === 'number' ? def.runs * profile.runsScale : def.runs[profile.name];
}

function selectProperties(all: readonly PropertyDef[], only: string[] | undefined): PropertyDef[] {
  if (only === undefined) return [...all];
  const unknown = only.filter((id) => !all.some((def) => def.id === id));
  if (unknown.length > 0) {
    throw new Error(`unknown property id ${unknown.join(', ')}; known: ${all.map((def) => def.id).join(', ')}`);
  }
  return all.filter((def) => only.includes(def.id));
}

/** Whether the module declares `capability`; compareAndSet, absent, is DESIGN's default: true. */
export function hasCapability(module: BackendModule, capability: Capability): boolean {
  return capability === 'compareAndSet' ? module.capabilities.compareAndSet !== false : module.capabilities[capability];
}

export function missingCapabilities(module: BackendModule, def: PropertyDef): Capability[] {
  return def.requires.filter((capability) => !hasCapability(module, capability));
}

/** What lacking each capability means for a user of the store, said where a property is not applicable. */
const LACKING: Record<Capability, string> = {
  persistent: 'sessions do not survive a restart',
  shared: "two servers do not see each other's sessions",
  compareAndSet: 'no compare-and-set: concurrent updates from two servers can overwrite each other',
};

export function notApplicableMessage(module: BackendModule, missing: readonly Capability[]): string {
  return `needs ${missing.join(' and ')}, which ${module.name} lacks (${missing.map((c) => LACKING[c]).join('; ')})`;
}

interface RunSettings {
  module: BackendModule;
  profile: Profile;
  seed: number;
  path: string | undefined;
  backend: string;
  timeoutMs: number;
  shrink: boolean;
  ctx: PropertyContext;
  /** Once one open, wipe and close worked, the optional methods the opened instance has; rejects with why not. */
  probe: () => Promise<OptionalMethod[]>;
}

async function runProperty(def: PropertyDef, run: RunSettings): Promise<PropertyResult> {
  const base = { id: def.id, statement: def.statement, requires: [...def.requires], severity: def.severity };
  const missing = missingCapabilities(run.module, def);
  if (missing.length > 0) {
    return {
      ...base,
      status: 'not-applicable',
      message: notApplicableMessage(run.module, missing),
      runs: 0,
      durationMs: 0,
    };
  }
  const started = performance.now();
  const elapsed = (): number => Math.round(performance.now() - started);
  try {
    const has = await run.probe();
    const lacking = (def.methods ?? []).filter((method) => !has.includes(method));
    if (lacking.length > 0) {
      const message = `needs ${lacking.map((m) => `${m}()`).join(' and ')}, which ${run.module.name} lacks`;
      return { ...base, status: 'not-applicable', message, runs: 0, durationMs: elapsed() };
    }
    const details = await withDeadline(
      fc.check(def.run(run.ctx), {
        seed: run.seed,
        numRuns: numRuns(def, run.ctx.profile),
        ...(run.path === undefined ? {} : { path: run.path.split(REPLAY_PATH_SEPARATOR)[0] }),
        endOnFailure: run.path !== undefined || !run.shrink,
        plugins: [fc.interruptAfterTimeLimit(run.timeoutMs)],
      }),
      run.timeoutMs + DEADLINE_GRACE_MS,
      def.id,
    );
    const error = details.errorInstance;
    const found = details.failed && details.counterexample !== null;
    const errored = (message: string): PropertyResult => ({
      ...base,
      status: 'errored',
      message,
      seed: details.seed,
      runs: details.numRuns,
      durationMs: elapsed(),
    });
    // Runs cut short are not a pass: the backend hung or is too slow for this profile.
    if (!found && details.interrupted)
      return errored(
        `timed out after ${run.timeoutMs} ms (${details.numRuns} of ${numRuns(def, run.ctx.profile)} runs done)`,
      );
    if (!details.failed)
      return { ...base, status: 'passed', seed: details.seed, runs: details.numRuns, durationMs: elapsed() };
    if (!found || error instanceof SetupError)
      return errored(messageOf(error ?? new Error(`fast-check gave up after ${details.numSkips} skipped runs`)));
    const counterexample = fc.stringify(details.counterexample);
    // Command sequences shrink by what ran, so their replay needs fast-check's replayPath too.
    const replayPath = /replayPath="([^"]+)"/.exec(counterexample)?.[1];
    const path = `${details.counterexamplePath ?? ''}${replayPath === undefined ? '' : `${REPLAY_PATH_SEPARATOR}${replayPath}`}`;
    return {
      ...base,
      status: 'failed',
      counterexample: truncate(counterexample),
      message: messageOf(error),
      seed: details.seed,
      path,
      replay: replayCommand(run.backend, run.profile, def.id, details.seed, path),
      runs: details.numRuns,
      durationMs: elapsed(),
    };
  } catch (err) {
    return { ...base, status: 'errored', message: messageOf(err), runs: 0, durationMs: elapsed() };
  }
}

/** Runs the given properties on one backend, in order; those its capabilities rule out are not-applicable. */
export async function runProperties(
  all: readonly PropertyDef[],
  module: BackendModule,
  createManager: ManagerFactory,
  options: SuiteOptions = {},
): Promise<PropertyResult[]> {
  const defs = selectProperties(all, options.only);
  if (options.path !== undefined && (defs.length !== 1 || options.seed === undefined)) {
    throw new Error('a path replays one failure: pass it with its seed and exactly one property id in `only`');
  }
  const profileName = options.profile ?? 'quick';
  const profile = PROFILES[profileName]?.suite;
  if (profile === undefined)
    throw new Error(`unknown profile ${profileName}; known: ${Object.keys(PROFILES).join(', ')}`);
  const baseDir = options.dir ?? mkdtempSync(join(tmpdir(), 'sessionbench-suite-'));
  const ctx: PropertyContext = {
    module,
    profile,
    createManager: options.createManager ?? createManager,
    withBackend: (body) => withFixture(module, baseDir, options.openOptions ?? {}, body),
    replayPath: options.path?.split(REPLAY_PATH_SEPARATOR)[1],
  };
  // One open before fast-check starts (once per run, and only if a property applies), so a
  // backend that can't open is reported as such rather than "shrunk" to whatever input came first.
  // It also tells which optional methods an instance has: a module declares no such thing.
  let probed: Promise<OptionalMethod[]> | undefined;
  const probe = (): Promise<OptionalMethod[]> =>
    (probed ??= withDeadline(
      ctx.withBackend(async (backend) => OPTIONAL_METHODS.filter((method) => typeof backend[method] === 'function')),
      options.timeoutMs ?? profile.timeoutMs,
      `opening ${module.name}`,
    ));
  const settings: RunSettings = {
    module,
    profile: profileName,
    seed: options.seed ?? (Math.random() * 2 ** 31) | 0,
    path: options.path,
    backend: options.backend ?? module.name,
    timeoutMs: options.timeoutMs ?? profile.timeoutMs,
    shrink: options.shrink ?? true,
    ctx,
    probe,
  };
  try {
    const results: PropertyResult[] = [];
    for (const def of defs) {
      const result = await runProperty(def, settings);
      options.onResult?.(result);
      results.push(result);
    }
    return results;
  } finally {
    if (options.dir === undefined) rmSync(baseDir, { recursive: true, force: true });
  }
}
