// The reference backends by name, loaded lazily so a run that skips one never loads its driver.
import type { BackendModule } from './contract.js';

const loaders: Record<string, () => Promise<{ default: BackendModule }>> = {
  memory: () => import('./memory.js'),
  sqlite: () => import('./sqlite.js'),
  lmdb: () => import('./lmdb.js'),
  redis: () => import('./redis.js'),
  'redis-cluster': () => import('./redis-cluster.js'),
};

export const REFERENCE_BACKENDS = Object.keys(loaders);

export function isReferenceBackend(name: string): boolean {
  return Object.hasOwn(loaders, name);
}

export async function loadReferenceBackend(name: string): Promise<BackendModule> {
  const load = loaders[name];
  if (load === undefined) throw new Error(`unknown reference backend ${name}`);
  return (await load()).default;
}
