// The sessions the crash child writes: their whole content follows from (id, version), so the
// parent can tell an acknowledged session that came back changed from one that came back intact.
import type { Session } from '../../backends/contract.js';

/** A time every crash session is live at: they never expire. */
export const CRASH_NOW = 1_700_000_000_000;

export function crashSession(id: string, version: number): Session {
  return {
    id,
    createdAt: CRASH_NOW,
    lastAccessedAt: CRASH_NOW + version,
    timeoutMs: null,
    version,
    metadata: { id, version, payload: `${id}:${version}:`.padEnd(200, '#') },
  };
}

/** What the parent passes the child (as one JSON argument). */
export interface CrashChildRequest {
  backend: string;
  dir: string;
  namespace: string;
  options: Record<string, unknown>;
  /** Ids are `${prefix}-${n}`: unique per kill cycle. */
  prefix: string;
  seed: number;
}
