// The package's main entry (`import { defineSuite } from 'sessionbench'`): the suite as a library,
// and the contract a backend module is written against.
export {
  defineSuite,
  describeFailure,
  PROFILES,
  PROPERTIES,
  runSuite,
  type DefineSuiteOptions,
  type ManagerFactory,
  type ManagerLike,
  type Profile,
  type PropertyDef,
  type PropertyResult,
  type PropertyStatus,
  type SuiteOptions,
  type SuiteTest,
  type SuiteTestBody,
} from './index.js';
export type {
  BackendCapabilities,
  BackendModule,
  Json,
  OpenContext,
  Session,
  SessionBackend,
  StoreOptions,
} from '../backends/contract.js';
export { errorCode, isSessionError, SessionError, type SessionErrorCode } from '../backends/errors.js';
