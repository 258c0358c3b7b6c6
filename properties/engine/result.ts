// What the invariant suite returns per property; reports read these and nothing else.
import type { Capability, Severity } from './define.js';

export type Profile = 'quick' | 'standard' | 'thorough';

interface PropertyOutcome {
  id: string;
  statement: string;
  /** Capabilities the property needs; a backend without them gets 'not-applicable'. */
  requires: Capability[];
  /** How loud a failure is; every failure is reported whatever its severity. */
  severity: Severity;
  runs: number;
  durationMs: number;
}

export interface PropertyPassed extends PropertyOutcome {
  status: 'passed';
  /** fast-check seed of the runs. */
  seed: number;
}

export interface PropertyFailed extends PropertyOutcome {
  status: 'failed';
  /** The shrunk counterexample, printed (fc.stringify). */
  counterexample: string;
  /** What went wrong. */
  message: string;
  /** fast-check seed and path that replay the failure. */
  seed: number;
  path: string;
  /** The one command that replays the failure. */
  replay: string;
}

export interface PropertyNotApplicable extends PropertyOutcome {
  status: 'not-applicable';
  /** The capabilities the backend lacks. */
  message: string;
}

/** The property could not be decided: the backend did not open, hung, or fast-check gave up. */
export interface PropertyErrored extends PropertyOutcome {
  status: 'errored';
  message: string;
  /** The seed, when fast-check started. */
  seed?: number;
}

/** One property on one backend, discriminated on `status`: each status carries exactly its own fields. */
export type PropertyResult = PropertyPassed | PropertyFailed | PropertyNotApplicable | PropertyErrored;
export type PropertyStatus = PropertyResult['status'];
