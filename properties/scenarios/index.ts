// The wall-clock scenarios for real stores (DESIGN's "on its own terms"), and the runner that
// takes an express-session or Keyv module through them: each scenario on a fresh instance under
// its own namespace, bounded, its sessions destroyed afterwards.
import type { RealStoreModule } from '../../backends/contract.js';
import { PROFILES, type Profile } from '../../backends/profiles.js';
import { openRealStore, type RealStore } from '../../backends/stores/real-store.js';
import { withTimeout } from '../../backends/timeout.js';
import { callbacksOnce, missingReadsNothing, unreachableIsError } from './answers.js';
import { closeLetsExit } from './close-exit.js';
import {
  DEFAULT_EXPIRY_TOLERANCE_MS,
  freshSid,
  type Scenario,
  type ScenarioTiming,
  type ScenarioVerdict,
} from './define.js';
import { countLeavesExpiredOut, expiryOnTime } from './expiry.js';
import type { ScenarioResult } from './result.js';
import { destroyBeatsTouch, staleTouch, touchAfterExpiry } from './touch.js';

export type { Scenario } from './define.js';
export type { ScenarioFigures, ScenarioResult } from './result.js';

export const SCENARIOS: readonly Scenario[] = [
  touchAfterExpiry,
  staleTouch,
  destroyBeatsTouch,
  expiryOnTime,
  countLeavesExpiredOut,
  missingReadsNothing,
  unreachableIsError,
  callbacksOnce,
  closeLetsExit,
];

export interface RunScenariosOptions {
  /** How the module was named (a module path, or a preset): the close-exit child loads it by this. */
  spec: string;
  openOptions?: Record<string, unknown>;
  /** A directory the store may write in. */
  dir: string;
  /** Each scenario opens its store under `${namespace}-${scenario id}`. */
  namespace: string;
  /** Trial counts, TTL, sampling interval and bounds come from this profile's `scenarios` row. */
  profile: Profile;
  /** Multiplies the profile's TTL (tests shorten it); the TTL never drops below twice the tolerance. */
  timeScale?: number;
  /** Runs only the scenarios with these ids. */
  only?: readonly string[];
  progress?: (line: string) => void;
}

/** The profile's settings fitted to this module: TTL scaled, and long enough that early expiry shows. */
function scenarioTiming(module: RealStoreModule, profile: Profile, timeScale = 1): ScenarioTiming {
  const settings = PROFILES[profile].scenarios;
  const toleranceMs = module.capabilities.expiryToleranceMs ?? DEFAULT_EXPIRY_TOLERANCE_MS;
  const ttlMs = Math.max(Math.round(settings.ttlMs * timeScale), 2 * toleranceMs);
  // Race and live sessions must outlive their scenario; they are destroyed when it ends.
  return { ...settings, ttlMs, toleranceMs, longTtlMs: Math.max(30_000, 20 * ttlMs) };
}

/** Longest a scenario may run: its waits, a child process, and many calls at their bound. */
function scenarioBoundMs(timing: ScenarioTiming): number {
  return 30_000 + timing.openTimeoutMs + 2 * (timing.ttlMs + timing.toleranceMs) + 10 * timing.callTimeoutMs;
}

async function runOne(
  scenario: Scenario,
  module: RealStoreModule,
  options: RunScenariosOptions,
  timing: ScenarioTiming,
): Promise<ScenarioResult> {
  const started = performance.now();
  const base = { id: scenario.id, statement: scenario.statement, severity: scenario.severity };
  const duration = () => Math.round(performance.now() - started);
  const context = { dir: options.dir, namespace: `${options.namespace}-${scenario.id}`, options: options.openOptions };
  const shared = { module, spec: options.spec, context, timing };
  const bound = scenarioBoundMs(timing);
  const judge = async (run: Promise<ScenarioVerdict>): Promise<ScenarioResult> => {
    try {
      const verdict = await withTimeout(run, bound, `did not finish within ${bound} ms`);
      const status = verdict.passed ? 'passed' : 'failed';
      return { ...base, status, figures: verdict.figures, detail: verdict.detail, durationMs: duration() };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      return { ...base, status: 'errored', error: message, durationMs: duration() };
    }
  };
  if (scenario.inChild === true) return judge(scenario.run(shared));

  // Only an open with the run's own options gets the long open bound (it may import the package);
  // one pointed elsewhere (a dead server) is held to the call bound.
  const open = (namespace: string, openOptions: Record<string, unknown> | undefined, own: boolean) =>
    openRealStore(
      module,
      { ...context, namespace, options: openOptions },
      { callTimeoutMs: timing.callTimeoutMs, openTimeoutMs: own ? timing.openTimeoutMs : timing.callTimeoutMs },
    );
  // A store that can't be opened at all is a setup problem for the whole run: the SetupError goes up.
  const store = await open(context.namespace, options.openOptions, true);
  /** Every instance the scenario used, and whether its sessions are this run's to destroy. */
  const instances: { store: RealStore; ours: boolean }[] = [{ store, ours: true }];
  const sids: string[] = [];
  try {
    const reason = scenario.applies(store, module);
    if (reason !== undefined) return { ...base, status: 'not-applicable', reason, durationMs: duration() };
    return await judge(
      scenario.run({
        ...shared,
        store,
        open: async (openOptions) => {
          const own = openOptions === undefined;
          const other = await open(`${context.namespace}-${instances.length}`, openOptions ?? options.openOptions, own);
          instances.push({ store: other, ours: own });
          return other;
        },
        sid: (label) => {
          const sid = freshSid(label);
          sids.push(sid);
          return sid;
        },
      }),
    );
  } finally {
    // Each call is bounded by the store's call timeout, so the clean-up can't hang either.
    await Promise.all(
      instances.map(async (instance) => {
        if (instance.ours) await Promise.all(sids.map((sid) => instance.store.destroy(sid)));
        await instance.store.close();
      }),
    );
  }
}

/**
 * Runs the scenarios on fresh instances of `module`, all at once: each has its own instance and
 * namespace, and most of their time is waiting out TTLs. Results come in the list's order.
 */
export async function runScenarios(module: RealStoreModule, options: RunScenariosOptions): Promise<ScenarioResult[]> {
  const timing = scenarioTiming(module, options.profile, options.timeScale);
  const selected = options.only === undefined ? SCENARIOS : SCENARIOS.filter((s) => options.only!.includes(s.id));
  return Promise.all(
    selected.map(async (scenario) => {
      const result = await runOne(scenario, module, options, timing);
      const said =
        result.status === 'not-applicable' ? result.reason : result.status === 'errored' ? result.error : result.detail;
      options.progress?.(`${module.name} ${scenario.id}: ${result.status} in ${result.durationMs} ms (${said})`);
      return result;
    }),
  );
}
