// A complete report around given backends, for feeding the writers and `compare` with data
// built in a test (the environment is this process's; gates and status follow the backends).
import { type BackendReport, type Report, SCHEMA_VERSION } from '../reports/report.js';
import { describeEnvironment } from '../reports/environment.js';
import { overallStatus } from '../reports/gates.js';

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
