// The suite as node:test tests: one test per property, a failure's message carrying the shrunk
// counterexample and the replay command, the properties a backend can't run skipped with why.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { BackendModule } from '../backends/contract.js';
import { missingCapabilities, notApplicableMessage, PROPERTIES, runSuite, type SuiteOptions } from './index.js';
import type { PropertyResult } from './engine/result.js';

export function describeFailure(result: PropertyResult): string {
  const lines = [`${result.id} (${result.severity}) ${result.status}: ${result.statement}`];
  if (result.status !== 'passed') lines.push(`  ${result.message}`);
  if (result.status === 'failed') lines.push(`  counterexample: ${result.counterexample}`, `  replay: ${result.replay}`);
  return lines.join('\n');
}

export function suiteTests(module: BackendModule, options: SuiteOptions = {}): void {
  const only = options.only;
  describe(`invariant suite on ${module.name} (${options.profile ?? 'quick'})`, () => {
    for (const def of PROPERTIES) {
      if (only !== undefined && !only.includes(def.id)) continue;
      const missing = missingCapabilities(module, def);
      if (missing.length > 0) {
        test(def.id, { skip: `not applicable: ${notApplicableMessage(module, missing)}` }, () => {});
        continue;
      }
      // Every failure fails its test, minor ones too: this is the strict gate.
      test(def.id, async () => {
        const [result] = await runSuite(module, { ...options, only: [def.id] });
        assert.ok(result !== undefined, `no result for ${def.id}`);
        assert.equal(result.status, 'passed', describeFailure(result));
      });
    }
  });
}
