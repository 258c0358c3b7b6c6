// runSuite: the properties (invariants/index.ts lists them, in the order they run) over one
// backend module, with the reference SessionManager unless the caller hands another.
import type { BackendModule } from '../backends/contract.js';
import { SessionManager } from '../backends/manager.js';
import type { ManagerFactory } from './engine/define.js';
import type { PropertyResult } from './engine/result.js';
import { runProperties, type SuiteOptions } from './engine/runner.js';
import { PROPERTIES } from './invariants/index.js';

const referenceManager: ManagerFactory = (backend, options) => new SessionManager(backend, options);

/** Runs every property `module`'s capabilities allow (or those in options.only) and returns one result each. */
export function runSuite(module: BackendModule, options?: SuiteOptions): Promise<PropertyResult[]> {
  return runProperties(PROPERTIES, module, referenceManager, options);
}
