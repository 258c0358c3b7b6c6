// What a raw driver is: the shape raw.ts measures and each raw-*.ts implements (its own file, so
// raw.ts and the implementations it loads don't import each other).
import type { OpenContext, Session } from '../backends/contract.js';

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
