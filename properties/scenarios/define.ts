// What a wall-clock scenario is, what the runner hands it, and the few helpers every scenario
// shares: fresh session ids, sleeping, a store call that must succeed, and the figures' median.
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { OpenContext, RealStoreModule } from '../../backends/contract.js';
import type { ScenarioSettings } from '../../backends/profiles.js';
import type { CallOutcome, RealStore } from '../../backends/stores/real-store.js';
import type { Severity } from '../engine/define.js';
import type { ScenarioFigures } from './result.js';

export { sleep };

/**
 * The tolerance a module that declares none is judged against: the whole-second rounding most
 * server stores do (Redis EX seconds, connect-redis's Math.ceil of the cookie's remaining time,
 * PostgreSQL's to_timestamp of seconds) makes expiry up to a second late, never more.
 */
export const DEFAULT_EXPIRY_TOLERANCE_MS = 1000;

/** The settings a scenario runs with, time already scaled and the TTL fitted to the store's tolerance. */
export interface ScenarioTiming extends ScenarioSettings {
  toleranceMs: number;
  /** TTL of sessions that must outlive the whole scenario (races, the live half of all/length). */
  longTtlMs: number;
}

/** What every scenario gets. */
export interface ScenarioContext {
  module: RealStoreModule;
  /** How the module was named (a path or a preset): a child process loads it by this. */
  spec: string;
  /** The namespace and options the scenario's instances are opened under; a child process opens the same. */
  context: OpenContext;
  timing: ScenarioTiming;
}

/** What a scenario that runs in this process gets: an instance opened for it, and a way to open more. */
export interface StoreScenarioContext extends ScenarioContext {
  store: RealStore;
  /**
   * Opens one more instance of the module under another namespace, with the run's open options or
   * `options`. The runner closes it afterwards, and destroys on it the sessions `sid` handed out
   * when it was opened with the run's own options.
   */
  open(options?: Record<string, unknown>): Promise<RealStore>;
  /** A session id no other trial uses; the runner destroys every one it handed out afterwards. */
  sid(label: string): string;
}

/** What a scenario's run reports; the runner adds id, statement, severity and duration. */
export interface ScenarioVerdict {
  passed: boolean;
  figures: ScenarioFigures;
  detail: string;
}

interface ScenarioBase {
  /** Kebab-case, stable: reports and the zoo name scenarios by it. */
  id: string;
  /** One line saying what holds. */
  statement: string;
  severity: Severity;
  /** Why the severity (DESIGN's definitions), one line. */
  why: string;
}

/** A scenario on an instance opened in this process. */
export interface StoreScenario extends ScenarioBase {
  inChild?: false;
  /** Why this store can't take the scenario, or undefined when it can. */
  applies(store: RealStore, module: RealStoreModule): string | undefined;
  run(ctx: StoreScenarioContext): Promise<ScenarioVerdict>;
}

/**
 * A scenario whose store lives in a child process only: the runner opens no instance here, since
 * one that leaks a timer on close would hold this process too.
 */
export interface ChildScenario extends ScenarioBase {
  inChild: true;
  run(ctx: ScenarioContext): Promise<ScenarioVerdict>;
}

export type Scenario = StoreScenario | ChildScenario;

/** A fresh random session id tagged with what it is for, so a leftover key says where it came from. */
export function freshSid(label: string): string {
  return `${label}-${randomBytes(8).toString('hex')}`;
}

/** How an outcome reads in a detail line. */
export function describeOutcome(outcome: CallOutcome<unknown>): string {
  if (outcome.status === 'timeout') return `no answer within ${Math.round(outcome.ms)} ms`;
  if (outcome.status === 'error')
    return `error: ${outcome.error instanceof Error ? outcome.error.message : String(outcome.error)}`;
  return `ok ${JSON.stringify(outcome.value) ?? 'undefined'}`;
}

/** The value of a call the scenario needs to succeed; anything else ends the scenario as errored. */
export function okValue<T>(outcome: CallOutcome<T>, what: string): T {
  if (outcome.status !== 'ok') throw new Error(`${what}: ${describeOutcome(outcome)}`);
  return outcome.value;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Runs `trial` for 0..count-1 at once (each on its own session) and collects the results in order. */
export function concurrently<T>(count: number, trial: (index: number) => Promise<T>): Promise<T[]> {
  return Promise.all(Array.from({ length: count }, (_, index) => trial(index)));
}
