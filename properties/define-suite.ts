// The suite inside a team's own test runner, as abstract-level's and Keyv's suites are run: the
// caller hands over its runner's `test` and a BackendModule, and gets one test per property. A
// failure's message carries the shrunk counterexample and the replay command.
import type { BackendModule } from '../backends/contract.js';
import { PROFILES } from '../backends/profiles.js';
import type { PropertyResult } from './engine/result.js';
import { missingCapabilities, notApplicableMessage, type SuiteOptions } from './engine/runner.js';
import { PROPERTIES } from './invariants/index.js';
import { runSuite } from './run-suite.js';

/** A property's test body: no parameters, so no runner takes it for a done-callback test. */
export type SuiteTestBody = (this: unknown, ...args: unknown[]) => Promise<void>;

/**
 * The `(name, fn)` shape node:test's `test`, vitest's `test`, jest's `test` and mocha's `it` share.
 * The third argument is the per-test time limit in vitest and jest; node:test (no default limit)
 * and mocha ignore it.
 */
export interface SuiteTest {
  (name: string, fn: SuiteTestBody, timeoutMs?: number): unknown;
  skip?: (name: string, fn: SuiteTestBody) => unknown;
}

export interface DefineSuiteOptions extends SuiteOptions {
  /** The runner's test function (node:test's `test`, vitest's or jest's `test`, mocha's `it`). */
  test: SuiteTest;
  module: BackendModule;
}

/** A result as a failure message: what failed, why, the shrunk counterexample and the replay command. */
export function describeFailure(result: PropertyResult): string {
  const lines = [`${result.id} (${result.severity}) ${result.status}: ${result.statement}`];
  if (result.status !== 'passed') lines.push(`  ${result.message}`);
  if (result.status === 'failed')
    lines.push(`  counterexample: ${result.counterexample}`, `  replay: ${result.replay}`);
  return lines.join('\n');
}

function skipAtRunTime(first: unknown, context: { skip?: unknown } | undefined, why: string): void {
  const skip = (first as { skip?: unknown } | undefined)?.skip;
  if (typeof skip === 'function') skip.call(first, why);
  else if (typeof context?.skip === 'function') context.skip.call(context);
}

/** Registers, through `test`, one test per property of the suite (or of options.only) on `module`. */
export function defineSuite({ test, module, ...options }: DefineSuiteOptions): void {
  const profile = PROFILES[options.profile ?? 'quick'];
  if (profile === undefined)
    throw new Error(`unknown profile ${options.profile}; known: ${Object.keys(PROFILES).join(', ')}`);
  // The runner gives one property its time limit to open the backend and its time limit plus a
  // few seconds' grace to run; the test waits longer, so the runner's message is the one seen.
  const limitMs = options.timeoutMs ?? profile.suite.timeoutMs;
  const testTimeoutMs = 2 * limitMs + 15_000;
  for (const def of PROPERTIES) {
    if (options.only !== undefined && !options.only.includes(def.id)) continue;
    const missing = missingCapabilities(module, def);
    if (missing.length > 0) {
      // Not applicable is never a pass: test.skip (node:test, vitest, jest and mocha all have it)
      // reports it as skipped; a `test` without one gets a test that does nothing. Either way the
      // name says why, as the name is the one thing every runner shows.
      const name = `${def.id} (not applicable: ${notApplicableMessage(module, missing)})`;
      const nothing: SuiteTestBody = async () => {};
      if (test.skip !== undefined) test.skip(name, nothing);
      else test(name, nothing);
      continue;
    }
    test(
      def.id,
      // A rest parameter keeps the body's length 0, so mocha doesn't take it for a done-callback test.
      async function (this: unknown, ...args: unknown[]): Promise<void> {
        // mocha takes a test's time limit only from its context (its default is 2 s).
        const context = this as { timeout?: unknown; skip?: unknown } | undefined;
        if (typeof context?.timeout === 'function') context.timeout(testTimeoutMs);
        const [result] = await runSuite(module, { ...options, only: [def.id] });
        if (result === undefined) throw new Error(`no result for ${def.id}`);
        // An optional method the opened backend lacks (touch) is known only once it ran: skipped
        // through whichever skip the runner offers (node:test's and vitest's on the test's first
        // argument, mocha's on `this`); a runner without one counts it as done, never as failed.
        if (result.status === 'not-applicable')
          return skipAtRunTime(args[0], context, `not applicable: ${result.message}`);
        if (result.status !== 'passed') throw new Error(describeFailure(result));
      },
      testTimeoutMs,
    );
  }
}
