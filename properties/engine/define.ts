// What a property is, and what the runner hands it: the pieces every property file shares.
import type fc from 'fast-check';
import type { BackendModule, Json, Session, SessionBackend } from '../../backends/contract.js';
import type { ManagerFactory } from '../../backends/manager-like.js';
import type { Profile, SuiteSettings } from '../../backends/profiles.js';
import type { Fixture } from './fixture.js';

/** The capabilities a property can require: the declared flags (maxSessionBytes is a value, not a requirement). */
export type Capability = 'persistent' | 'shared' | 'compareAndSet';
/**
 * How loud a failure is (DESIGN's "The invariant suite"): critical loses, changes or leaks data;
 * major is a wrong answer that loses nothing; minor is conformance only. The properties gate
 * fails on critical and major, --strict on minor too.
 */
export type Severity = 'critical' | 'major' | 'minor';
/** Optional methods of the contract (v2): whether a backend has one is known only once it is open. */
export type OptionalMethod = 'touch';
export type Metadata = { [key: string]: Json };
// Defined on the backends floor (the loader reads a plug-in's createManager); named here for the properties.
export type { ManagerFactory, ManagerLike } from '../../backends/manager-like.js';

export interface PropertyContext {
  module: BackendModule;
  profile: SuiteSettings;
  createManager: ManagerFactory;
  /**
   * Opens a fresh backend (fresh namespace and subdirectory), runs `body`, then wipes and closes
   * every instance the body opened, so runs never see each other's data.
   */
  withBackend<T>(body: (backend: SessionBackend, fixture: Fixture) => Promise<T>): Promise<T>;
  /** fast-check's replayPath for the property's fc.commands, when replaying a failure of one. */
  replayPath: string | undefined;
}

export interface PropertyDef {
  /** Kebab-case, stable: reports, the zoo and replay commands name properties by it. */
  id: string;
  /** One line saying what holds. */
  statement: string;
  requires: Capability[];
  /** Optional methods the property calls; a backend whose open() instance lacks one gets not-applicable. */
  methods?: OptionalMethod[];
  severity: Severity;
  /** Runs in the quick profile (scaled for the others), or the count per profile. */
  runs: number | Record<Profile, number>;
  /** The fast-check property the runner checks, built for one backend (`any`: each has its own inputs). */
  run(ctx: PropertyContext): fc.IAsyncProperty<any>;
}
