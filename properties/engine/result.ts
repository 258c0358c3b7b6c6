// What the invariant suite returns per property; reports read these and nothing else.
import type { BackendCapabilities } from '../../backends/contract.js';

export type PropertyStatus = 'passed' | 'failed' | 'not-applicable' | 'errored';
export type Profile = 'quick' | 'standard' | 'thorough';

export interface PropertyResult {
  id: string;
  statement: string;
  /** Capabilities the property needs; a backend without them gets 'not-applicable'. */
  requires: (keyof BackendCapabilities)[];
  status: PropertyStatus;
  /** The shrunk counterexample, printed (fc.stringify), when failed. */
  counterexample?: string;
  /** What went wrong, when failed or errored. */
  message?: string;
  /** fast-check seed and path that replay the failure. */
  seed?: number;
  path?: string;
  /** The one command that replays the failure. */
  replay?: string;
  runs: number;
  durationMs: number;
}
