// The suite as node:test tests, grouped under one describe per backend and profile.
import { describe, test } from 'node:test';
import type { BackendModule } from '../backends/contract.js';
import { defineSuite } from './define-suite.js';
import type { SuiteOptions } from './engine/runner.js';

export function suiteTests(module: BackendModule, options: SuiteOptions = {}): void {
  describe(`invariant suite on ${module.name} (${options.profile ?? 'quick'})`, () =>
    defineSuite({ ...options, test, module }));
}
