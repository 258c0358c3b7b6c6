// The invariant suite's public entry: the properties (invariants/index.ts lists them, in the
// order they run) and runSuite over them with the reference SessionManager. engine/ is how a
// property runs, arbitraries/ what it is fed.
import type { BackendModule } from '../backends/contract.js';
import { SessionManager } from '../backends/manager.js';
import type { ManagerFactory } from './engine/define.js';
import type { PropertyResult } from './engine/result.js';
import { runProperties, type SuiteOptions } from './engine/runner.js';
import { PROPERTIES } from './invariants/index.js';

export type { Capability, ManagerFactory, ManagerLike, PropertyContext, PropertyDef, Severity } from './engine/define.js';
export type { PropertyErrored, PropertyFailed, PropertyNotApplicable, PropertyPassed, PropertyResult, PropertyStatus } from './engine/result.js';
export { isProfile, type Profile, PROFILES } from '../backends/profiles.js';
export { missingCapabilities, notApplicableMessage, replayCommand, type SuiteOptions } from './engine/runner.js';
export { PROPERTIES };

const referenceManager: ManagerFactory = (backend, options) => new SessionManager(backend, options);

/** Runs every property `module`'s capabilities allow (or those in options.only) and returns one result each. */
export function runSuite(module: BackendModule, options?: SuiteOptions): Promise<PropertyResult[]> {
  return runProperties(PROPERTIES, module, referenceManager, options);
}
