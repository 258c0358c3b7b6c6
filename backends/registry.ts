// The reference backends by name, each with its traits: the one place that says what a backend
// needs and what is run on it. Modules load lazily, so a run that skips one never loads its driver.
import type { BackendModule } from './contract.js';

/** The driver under a backend, measured beside it; benchmarks/raw.ts maps each name to its raw rows. */
export type RawDriverName = 'map' | 'better-sqlite3' | 'lmdb' | 'ioredis' | 'pg';
/** What a backend needs from outside the process; backends/servers/provide.ts finds or starts it. */
export type ServerKind = 'redis' | 'redis-cluster' | 'postgres';
/** The fault scenarios of benchmarks/faults; each is also the name of its reliability gate. */
export type FaultScenario =
  | 'crash-durability'
  | 'corruption'
  | 'redis-faults'
  | 'hostile-input'
  | 'failover'
  | 'linearizability'
  | 'partition'
  | 'postgres-crash'
  | 'postgres-terminate';

export interface ReferenceBackend {
  load(): Promise<{ default: BackendModule }>;
  /** null: no raw rows are measured under it. */
  rawDriver: RawDriverName | null;
  server: ServerKind | null;
  /** The fault scenarios verify runs on it (failover and partition on clusters of their own, the others in runReliability). */
  faults: readonly FaultScenario[];
  /** What the fault scenarios open it with, under their own options: the integrity check on open, for the corruption trials. */
  faultOpenOptions: Readonly<Record<string, unknown>>;
}

// linearizability: two processes share the store's files under load, their histories checked.
const FILE_FAULTS: readonly FaultScenario[] = ['crash-durability', 'corruption', 'hostile-input', 'linearizability'];

const REGISTRY: Readonly<Record<string, ReferenceBackend>> = {
  memory: {
    load: () => import('./memory.js'),
    rawDriver: 'map',
    server: null,
    faults: ['hostile-input'],
    faultOpenOptions: {},
  },
  sqlite: {
    load: () => import('./sqlite.js'),
    rawDriver: 'better-sqlite3',
    server: null,
    faults: FILE_FAULTS,
    faultOpenOptions: { integrityCheck: true },
  },
  // lmdb's integrity check also keeps damage from crashing the process.
  lmdb: {
    load: () => import('./lmdb.js'),
    rawDriver: 'lmdb',
    server: null,
    faults: FILE_FAULTS,
    faultOpenOptions: { integrityCheck: true },
  },
  redis: {
    load: () => import('./redis.js'),
    rawDriver: 'ioredis',
    server: 'redis',
    faults: ['redis-faults', 'hostile-input'],
    faultOpenOptions: {},
  },
  'redis-cluster': {
    load: () => import('./redis-cluster.js'),
    rawDriver: null,
    server: 'redis-cluster',
    faults: ['hostile-input', 'failover', 'partition'],
    faultOpenOptions: {},
  },
  postgres: {
    load: () => import('./postgres.js'),
    rawDriver: 'pg',
    server: 'postgres',
    // Both kill things, so they start a private server of their own.
    faults: ['postgres-crash', 'postgres-terminate', 'hostile-input'],
    faultOpenOptions: {},
  },
};

export const REFERENCE_BACKENDS = Object.keys(REGISTRY);

export function isReferenceBackend(name: string): boolean {
  return Object.hasOwn(REGISTRY, name);
}

/** The traits of a reference backend; undefined for any other name. */
export function referenceBackend(name: string): ReferenceBackend | undefined {
  return isReferenceBackend(name) ? REGISTRY[name] : undefined;
}

/** The fault scenarios for `name`: a reference backend's own, else the one every store can take (hostile input). */
export function faultScenarios(name: string): readonly FaultScenario[] {
  return referenceBackend(name)?.faults ?? ['hostile-input'];
}

/**
 * A backend reached over the network (its server is not this process): at many in flight the
 * benchmark drives it from several processes (benchmarks/worker-load.ts). Derived from `server`,
 * so the fact is written once.
 */
export function isNetworked(name: string): boolean {
  return (referenceBackend(name)?.server ?? null) !== null;
}

/** True when `module` is the reference backend of its name itself, not a plug-in named like one. */
export async function isReferenceModule(module: BackendModule): Promise<boolean> {
  return isReferenceBackend(module.name) && (await loadReferenceBackend(module.name)) === module;
}

export async function loadReferenceBackend(name: string): Promise<BackendModule> {
  const backend = referenceBackend(name);
  if (backend === undefined) throw new Error(`unknown reference backend ${name}`);
  return (await backend.load()).default;
}
