// Named request mixes for the mixed web-request workload, after YCSB's core workloads: every
// request reads its session and touches it; some update metadata, log in (create) or out (delete).
export interface Mix {
  name: string;
  /** Relative weights of the request kinds; they need not sum to 1. */
  read: number;
  update: number;
  create: number;
  delete: number;
}

export const MIXES: Readonly<Record<string, Mix>> = {
  /** Typical web traffic: mostly page views, a few logins, logouts and preference changes. */
  web: { name: 'web', read: 0.9, update: 0.05, create: 0.03, delete: 0.02 },
  /** YCSB workload B's proportions: 95% reads. */
  'read-heavy': { name: 'read-heavy', read: 0.95, update: 0.03, create: 0.01, delete: 0.01 },
  /** YCSB workload A's proportions: half the requests write metadata. */
  'write-heavy': { name: 'write-heavy', read: 0.5, update: 0.4, create: 0.05, delete: 0.05 },
};

export const DEFAULT_MIXES: readonly string[] = ['web'];

const KINDS = ['read', 'update', 'create', 'delete'] as const;

/** A named mix, or a custom one checked: non-negative finite weights, not all zero, a kebab-case name. */
export function resolveMix(mix: string | Mix): Mix {
  if (typeof mix === 'string') {
    const named = MIXES[mix];
    if (named === undefined)
      throw new Error(`unknown mix ${JSON.stringify(mix)} (known: ${Object.keys(MIXES).join(', ')})`);
    return named;
  }
  if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(mix.name))
    throw new Error(`mix name ${JSON.stringify(mix.name)} must be kebab-case`);
  for (const kind of KINDS) {
    const weight = mix[kind];
    if (typeof weight !== 'number' || !Number.isFinite(weight) || weight < 0) {
      throw new Error(`mix ${mix.name}: weight ${kind} must be a non-negative number`);
    }
  }
  if (KINDS.every((kind) => mix[kind] === 0)) throw new Error(`mix ${mix.name}: every weight is 0`);
  return { ...mix };
}

export type RequestKind = (typeof KINDS)[number];

/** Maps a uniform draw in [0, 1) to a request kind by the mix's weights. */
export function requestKind(mix: Mix, u: number): RequestKind {
  const total = mix.read + mix.update + mix.create + mix.delete;
  let threshold = u * total;
  let last: RequestKind = 'read';
  for (const kind of KINDS) {
    if (mix[kind] === 0) continue;
    if (threshold < mix[kind]) return kind;
    threshold -= mix[kind];
    last = kind;
  }
  // Only reached through rounding at u close to 1.
  return last;
}
