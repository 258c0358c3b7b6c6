// What a wall-clock scenario on a real store (DESIGN's "on its own terms") found: a verdict with
// figures, never a verdict alone. Like PropertyResult, a union on `status`: a scenario the store
// can't take (no touch, no all) is not-applicable with the reason, never passed.
import type { Severity } from '../engine/define.js';

/** Timing of expiry against the declared TTL: negative is early, positive late (ms). */
export interface ExpiryFigures {
  toleranceMs: number;
  minMs: number;
  medianMs: number;
  maxMs: number;
  samples: number;
  /**
   * The widest gap between the last get that still found a session and the first that did not
   * (ms): how far each figure may lie after the true expiry (a loaded event loop widens it).
   */
  resolutionMs?: number;
}

/** Figures a scenario measured; each field is present only where the scenario measures it. */
export interface ScenarioFigures {
  trials?: number;
  /** Trials that showed the anomaly (lost data, a destroyed session alive, a revived session...). */
  anomalies?: number;
  expiry?: ExpiryFigures;
  /** What all/length counted against what should be live, per trial. */
  counted?: { expected: number; all?: number; length?: number };
  /** The slowest call observed (ms), where the scenario bounds call time. */
  slowestCallMs?: number;
}

interface ScenarioBase {
  id: string;
  statement: string;
  severity: Severity;
  durationMs: number;
}

export type ScenarioResult =
  | (ScenarioBase & { status: 'passed'; figures: ScenarioFigures; detail: string })
  | (ScenarioBase & { status: 'failed'; figures: ScenarioFigures; detail: string })
  | (ScenarioBase & { status: 'not-applicable'; reason: string })
  | (ScenarioBase & { status: 'errored'; error: string });
