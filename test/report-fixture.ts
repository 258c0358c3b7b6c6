// A complete report around given backends, for feeding the writers and `compare` with data
// built in a test (the environment is this process's; gates and status follow the backends),
// and a real store package as a preset would report it.
import type { BackendModule } from '../backends/contract.js';
import type { BenchmarkRow } from '../benchmarks/result.js';
import { missingCapabilities, notApplicableMessage, PROPERTIES } from '../properties/index.js';
import type { PropertyResult } from '../properties/engine/result.js';
import type { ScenarioResult } from '../properties/scenarios/result.js';
import { type BackendReport, type Report, SCHEMA_VERSION } from '../reports/report.js';
import { describeEnvironment } from '../reports/environment.js';
import { overallStatus, propertiesGate, scenariosGate } from '../reports/gates.js';

export function reportOf(backends: BackendReport[]): Report {
  const gates = backends.flatMap((b) => b.gates);
  return {
    schemaVersion: SCHEMA_VERSION,
    generatedAt: new Date().toISOString(),
    durationMs: 0,
    environment: describeEnvironment('quick', 1, false),
    backends,
    gates,
    status: overallStatus(gates),
  };
}

/** The wall-clock scenarios of a store that revives a touched session after expiry: one critical failure, one not applicable. */
export const PRESET_SCENARIOS: ScenarioResult[] = [
  {
    id: 'touch-after-expiry',
    statement: 'A touch after expiry never revives the session.',
    severity: 'critical',
    durationMs: 4200,
    status: 'failed',
    figures: { trials: 20, anomalies: 3 },
    detail: '3 sessions touched after their TTL were readable again',
  },
  {
    id: 'expiry-on-time',
    statement: "Expiry is honoured within the store's tolerance, neither early nor late.",
    severity: 'major',
    durationMs: 3100,
    status: 'passed',
    figures: { expiry: { toleranceMs: 1000, minMs: 4, medianMs: 120, maxMs: 850, samples: 12 } },
    detail: '',
  },
  {
    id: 'all-length-live-only',
    statement: 'all() and length() leave expired sessions out.',
    severity: 'major',
    durationMs: 0,
    status: 'not-applicable',
    reason: 'the store has neither all() nor length()',
  },
];

/**
 * connect-redis as its preset reports it: no compare-and-set (the suite's results for that, in
 * the runner's own words), the scenarios above, and the given benchmark rows renamed to it.
 */
export function presetStore(benchmarks: BenchmarkRow[] = []): BackendReport {
  const name = 'connect-redis';
  const capabilities = { persistent: true, shared: true, compareAndSet: false };
  const module = { name, capabilities, open: () => Promise.reject(new Error('not opened')) } as BackendModule;
  const properties = PROPERTIES.map((def): PropertyResult => {
    const base = {
      id: def.id,
      statement: def.statement,
      requires: def.requires,
      severity: def.severity,
      durationMs: 5,
    };
    const missing = missingCapabilities(module, def);
    return missing.length > 0
      ? { ...base, status: 'not-applicable', message: notApplicableMessage(module, missing), runs: 0 }
      : { ...base, status: 'passed', seed: 1, runs: 10 };
  });
  return {
    name,
    spec: name,
    kind: 'preset',
    server: 'redis://127.0.0.1:6379 (local)',
    capabilities: { persistent: true, shared: true },
    status: 'failed',
    properties,
    scenarios: PRESET_SCENARIOS,
    benchmarks: benchmarks.map((r) => ({ ...r, backend: name, overheadRatio: null })),
    budgets: [],
    gates: [propertiesGate(name, properties, false), scenariosGate(name, PRESET_SCENARIOS, false)],
  };
}
