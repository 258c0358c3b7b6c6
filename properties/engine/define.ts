// What a property is, and what the runner hands it: the pieces every property file shares.
import type fc from 'fast-check';
import type { BackendCapabilities, BackendModule, Json, Session, SessionBackend } from '../../backends/contract.js';
import type { ManagerOptions } from '../../backends/manager-options.js';
import type { Fixture } from './fixture.js';
import type { Profile } from './result.js';

export type Capability = keyof BackendCapabilities;
export type Metadata = { [key: string]: Json };

/** The part of SessionManager the properties use; createManager may hand back any object that has it. */
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

export interface ProfileSettings {
  name: Profile;
  /** Multiplies each property's quick run count. */
  runsScale: number;
  /** Longest command sequence of the model-based property. */
  maxCommands: number;
  /** Ids the manager-ids property creates in one run. */
  managerIds: number;
  /** Time one property may take before it is reported errored. */
  timeoutMs: number;
}

export interface PropertyContext {
  module: BackendModule;
  profile: ProfileSettings;
  createManager: ManagerFactory;
  /**
   * Opens a fresh backend (fresh namespace and subdirectory), runs `body`, then wipes and closes
   * every instance the body opened, so runs never see each other's data.
   */
  withBackend<T>(
    body: (backend: SessionBackend, fixture: Fixture) => Promise<T>,
    openOptions?: Record<string, unknown>,
  ): Promise<T>;
  /** fast-check's replayPath for the property's fc.commands, when replaying a failure of one. */
  replayPath: string | undefined;
  /** The small maxSessionBytes the size property opens with; undefined when the caller fixed the limit. */
  smallLimit: number | undefined;
  /** The limit a backend opened without a maxSessionBytes override has. */
  defaultLimit: number;
}

export interface PropertyDef {
  /** Kebab-case, stable: reports, the zoo and replay commands name properties by it. */
  id: string;
  /** One line saying what holds. */
  statement: string;
  requires: Capability[];
  /** Runs in the quick profile (scaled for the others), or the count per profile. */
  runs: number | Record<Profile, number>;
  /** The fast-check property the runner checks, built for one backend (`any`: each has its own inputs). */
  run(ctx: PropertyContext): fc.IAsyncProperty<any>;
}
