// What a plug-in's createManager export builds: the part of SessionManager the manager
// properties use. Here, beside the manager, because the loader (this floor) and the suite both
// name it.
import type { Session, SessionBackend } from './contract.js';
import type { Metadata } from './manager.js';
import type { ManagerOptions } from './manager-options.js';

export interface ManagerLike {
  create(init?: { metadata?: Metadata; timeoutMs?: number | null; id?: string }): Promise<Session>;
  get(id: string): Promise<Session | undefined>;
  touch(id: string): Promise<Session | undefined>;
  updateMetadata(id: string, patch: Metadata | ((metadata: Metadata) => Metadata)): Promise<Session | undefined>;
  setTimeout(id: string, timeoutMs: number | null): Promise<Session | undefined>;
  delete(id: string): Promise<boolean>;
  close(): Promise<void>;
}

export type ManagerFactory = (backend: SessionBackend, options: ManagerOptions) => ManagerLike;
