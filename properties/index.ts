// The invariant suite: every property, in the order they run, and runSuite over them. This list
// is the source of truth for property ids (reports, the zoo and replay commands use them).
import type { BackendModule } from '../backends/contract.js';
import { SessionManager } from '../backends/manager.js';
import { badInput } from './bad-input.js';
import { casConcurrent, casCreate, casStale } from './cas.js';
import type { ManagerFactory, PropertyDef } from './define.js';
import { deleteTruthful, expiryBoundary, expiryCleanup, noResurrection } from './expiry.js';
import { copyIsolation, isolation } from './isolation.js';
import { lifecycleClosed } from './lifecycle.js';
import {
  managerConcurrentUpdates,
  managerCreatedAt,
  managerIds,
  managerMetadataAlgebra,
  managerMonotonic,
} from './manager.js';
import { modelBased } from './model-run.js';
import { namespaceIsolation } from './namespaces.js';
import { persistence } from './persistence.js';
import type { PropertyResult } from './result.js';
import { tooLarge, roundTrip } from './round-trip.js';
import { runProperties, type SuiteOptions } from './runner.js';
import { sharingCas, sharingVisibility } from './sharing.js';

export type { Capability, ManagerFactory, ManagerLike, PropertyContext, PropertyDef } from './define.js';
export type { Profile, PropertyResult, PropertyStatus } from './result.js';
export { defineSuite, describeFailure, type DefineSuiteOptions, type SuiteTest, type SuiteTestBody } from './define-suite.js';
export { PROFILES, isProfile } from './profiles.js';
export { missingCapabilities, replayCommand, SMALL_SESSION_LIMIT, type SuiteOptions } from './runner.js';

export const PROPERTIES: readonly PropertyDef[] = [
  roundTrip,
  tooLarge,
  isolation,
  copyIsolation,
  expiryBoundary,
  expiryCleanup,
  noResurrection,
  casCreate,
  casStale,
  casConcurrent,
  modelBased,
  managerIds,
  managerMonotonic,
  managerConcurrentUpdates,
  managerMetadataAlgebra,
  managerCreatedAt,
  persistence,
  namespaceIsolation,
  sharingVisibility,
  sharingCas,
  lifecycleClosed,
  badInput,
  deleteTruthful,
];

const referenceManager: ManagerFactory = (backend, options) => new SessionManager(backend, options);

/** Runs every property `module`'s capabilities allow (or those in options.only) and returns one result each. */
export function runSuite(module: BackendModule, options?: SuiteOptions): Promise<PropertyResult[]> {
  return runProperties(PROPERTIES, module, referenceManager, options);
}
