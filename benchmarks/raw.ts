// The raw driver underneath each reference backend, measured in the same run so a row's
// overheadRatio (backend p50 / raw p50) shows what the wrapper costs over the store itself.
// A raw driver does the same storage work the backend does per operation, by the most direct
// means its driver has, and nothing else: no validation, no compare-and-set, no expiry check.
import type { BackendModule, OpenContext, Session } from '../backends/contract.js';
import { isReferenceBackend, loadReferenceBackend } from '../backends/registry.js';
import type { Surface } from './surface.js';

export interface RawDriver {
  insert(session: Session): Promise<void>;
  /** The decoded session, or undefined. */
  get(id: string): Promise<Session | undefined>;
  /** Upsert. */
  put(session: Session): Promise<void>;
  remove(id: string): Promise<boolean>;
  /** Prefill, by the fastest means the driver has (one transaction, a pipeline). */
  loadAll(sessions: Iterable<Session>): Promise<void>;
  /** Only where the driver has a natural equivalent of list / cleanupExpired. */
  listLive?(now: number): Promise<string[]>;
  removeExpired?(now: number): Promise<number>;
  /** Closes the driver and removes what it wrote outside its directory. */
  close(): Promise<void>;
}

export type RawDriverFactory = (context: OpenContext) => Promise<RawDriver>;

const loaders: Record<string, () => Promise<{ openRawDriver: RawDriverFactory }>> = {
  memory: () => import('./raw-map.js'),
  sqlite: () => import('./raw-sqlite.js'),
  lmdb: () => import('./raw-lmdb.js'),
  redis: () => import('./raw-redis.js'),
};

/** The raw driver of a reference backend; undefined for a plug-in (even one named like a reference backend). */
export async function rawDriverFor(module: BackendModule): Promise<RawDriverFactory | undefined> {
  const load = loaders[module.name];
  if (load === undefined || !isReferenceBackend(module.name)) return undefined;
  if ((await loadReferenceBackend(module.name)) !== module) return undefined;
  return (await load()).openRawDriver;
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
      rewrite(id, (stored) => ({ lastAccessedAt: Math.max(stored.lastAccessedAt, now), metadata: { ...stored.metadata, ...patch } })),
    delete: (id) => driver.remove(id),
    list: listLive && ((now) => listLive.call(driver, now)),
    cleanupExpired: removeExpired && ((now) => removeExpired.call(driver, now)),
    close: () => driver.close(),
  };
}
