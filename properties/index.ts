// The invariant suite's public entry: the properties (invariants/index.ts lists them, in the
// order they run), runSuite over them, and defineSuite for a team's own test runner. engine/ is
// how a property runs, arbitraries/ what it is fed.
export type {
  Capability,
  ManagerFactory,
  ManagerLike,
  PropertyContext,
  PropertyDef,
  Severity,
} from './engine/define.js';
export type {
  PropertyErrored,
  PropertyFailed,
  PropertyNotApplicable,
  PropertyPassed,
  PropertyResult,
  PropertyStatus,
} from './engine/result.js';
export {
  defineSuite,
  describeFailure,
  type DefineSuiteOptions,
  type SuiteTest,
  type SuiteTestBody,
} from './define-suite.js';
export { isProfile, type Profile, PROFILES } from '../backends/profiles.js';
export { missingCapabilities, notApplicableMessage, replayCommand, type SuiteOptions } from './engine/runner.js';
export { PROPERTIES } from './invariants/index.js';
export { runSuite } from './run-suite.js';
