// The raw driver underneath each reference backend, measured in the same run so a row's
// overheadRatio (backend p50 / raw p50) shows what the wrapper costs over the store itself.
// A raw driver does the same storage work the backend does per operation, by the most direct
// means its driver has, and nothing else: no validation, no compare-and-set, no expiry check.
import type { BackendModule, Session } from '../backends/contract.js';
import { loadReferenceBackend, type RawDriverName, referenceBackend } from '../backends/registry.js';
import type { RawDriver, RawDriverFactory } from './raw-driver.js';
import type { Surface } from './surface.js';

/** The rows of each raw driver the registry names (backends can't import benchmarks, so the map is here). */
const RAW_DRIVERS: Record<RawDriverName, () => Promise<{ openRawDriver: RawDriverFactory }>> = {
  map: () => import('./raw-map.js'),
  'better-sqlite3': () => import('./raw-sqlite.js'),
  lmdb: () => import('./raw-lmdb.js'),
  ioredis: () => import('./raw-redis.js'),
  pg: () => import('./raw-pg.js'),
};

/** The raw driver of a reference backend; undefined for a plug-in (even one named like a reference backend). */
export async function rawDriverFor(module: BackendModule): Promise<RawDriverFactory | undefined> {
  const driver = referenceBackend(module.name)?.rawDriver;
  if (!driver) return undefined;
  if ((await loadReferenceBackend(module.name)) !== module) return undefined;
  return (await RAW_DRIVERS[driver]()).openRawDriver;
}

export function rawSurface(driver: RawDriver): Surface {
  const rewrite = async (id: string, change: (stored: Session) => Partial<Session>): Promise<Session | undefined> => {
    const stored = await driver.get(id);
    if (stored === undefined) return undefined;
    const next = { ...stored, ...change(stored), version: stored.version + 1 };
    await driver.put(next);
    return next;
  };
  const { listLive, removeExpired } = driver;
  return {
    load: (session) => driver.put(session),
    create: (session) => driver.insert(session),
    fetch: (id) => driver.get(id),
    touch: (id, now) => rewrite(id, (stored) => ({ lastAccessedAt: Math.max(stored.lastAccessedAt, now) })),
    updateMetadata: (id, patch, now) =>
      rewrite(id, (stored) => ({
        lastAccessedAt: Math.max(stored.lastAccessedAt, now),
        metadata: { ...stored.metadata, ...patch },
      })),
    delete: (id) => driver.remove(id),
    list: listLive && ((now) => listLive.call(driver, now)),
    cleanupExpired: removeExpired && ((now) => removeExpired.call(driver, now)),
    close: () => driver.close(),
  };
}
