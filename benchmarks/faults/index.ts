// The reliability run: every fault scenario on the chosen backends, as plain data for report.json
// and the Reliability section of summary.md.
import fs from 'node:fs';
import path from 'node:path';
import sqlite from '../../backends/sqlite.js';
import { encrypted, newEncryptionKey } from '../../backends/encrypted.js';
import { type Profile, PROFILES } from '../../backends/profiles.js';
import { type FaultScenario, faultScenarios, referenceBackend } from '../../backends/registry.js';
import { runBenchmarks } from '../index.js';
import type { BenchmarkRow } from '../result.js';
import { loadFaultBackend } from './backends.js';
import { runCorruption, type CorruptionResult } from './corruption.js';
import { runCrashDurability, type CrashResult } from './crash-durability.js';
import { runHostileInput, type HostileResult } from './hostile-input.js';
import { runPostgresCrash } from './postgres-crash.js';
import { runPostgresTerminate, type PostgresTerminateResult } from './postgres-terminate.js';
import { REDIS_FAULTS, runRedisFault, type RedisFaultResult } from './redis-faults.js';
import { runTwoProcessHistory, type TwoProcessHistoryResult } from './two-process-history.js';

export type {
  CorruptionResult,
  CrashResult,
  HostileResult,
  PostgresTerminateResult,
  RedisFaultResult,
  TwoProcessHistoryResult,
};

export interface ReliabilityOptions {
  profile?: Profile;
  /** Reference backend names; each scenario runs on those it applies to. */
  backends: string[];
  /** A working directory (sub-directories are made and removed). */
  dir: string;
  /**
   * Open options by backend name for the hostile-input run: the Redis url, the cluster's nodes
   * (the fault runs start their own private servers). A networked backend without them is skipped.
   */
  openOptions?: Record<string, Record<string, unknown>>;
  seed?: number;
  /** Also benchmark sqlite against sqlite+aes (the cost of encryption at rest). */
  encryptionBenchmark?: boolean;
  onProgress?: (line: string) => void;
}

export interface EncryptionCost {
  op: string;
  /** The row's conditions, as in the benchmark rows (one row per op and conditions). */
  datasetSize: number;
  payloadBytes: number;
  concurrency: number;
  mode: BenchmarkRow['mode'];
  plainP50Us: number;
  encryptedP50Us: number;
  /** encrypted p50 / plain p50. */
  ratio: number;
}

export interface ReliabilityResult {
  profile: Profile;
  /** Process kills of a file store, and (with restartMs) server kills of postgres. */
  crash: CrashResult[];
  corruption: CorruptionResult[];
  redisFaults: RedisFaultResult[];
  postgresTerminate: PostgresTerminateResult[];
  hostileInput: HostileResult[];
  /** Two processes on one store, their histories checked for linearizability. */
  histories: TwoProcessHistoryResult[];
  encryption?: EncryptionCost[];
  /** Scenarios that could not run, and why (no redis-server, say). */
  skipped: string[];
}

export async function runReliability(options: ReliabilityOptions): Promise<ReliabilityResult> {
  const profile = options.profile ?? 'quick';
  const sizes = PROFILES[profile].reliability;
  const seed = options.seed ?? 1;
  const progress = options.onProgress ?? (() => {});
  const encryptionKey = newEncryptionKey();
  const result: ReliabilityResult = {
    profile,
    crash: [],
    corruption: [],
    redisFaults: [],
    postgresTerminate: [],
    hostileInput: [],
    histories: [],
    skipped: [],
  };
  let n = 0;
  const workDir = (): string => {
    const dir = path.join(options.dir, `reliability-${n++}`);
    fs.mkdirSync(dir, { recursive: true });
    return dir;
  };
  const inDir = async <T>(run: (dir: string) => Promise<T>): Promise<T> => {
    const dir = workDir();
    try {
      return await run(dir);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  };
  // Each scenario runs on the backends whose registry entry lists it.
  const runs = (scenario: FaultScenario): string[] =>
    options.backends.filter((name) => faultScenarios(name).includes(scenario));

  for (const backend of runs('crash-durability')) {
    for (const durability of ['full', 'normal'] as const) {
      progress(`crash durability: ${backend} (${durability}), ${sizes.kills} kills`);
      result.crash.push(
        await inDir((dir) => runCrashDurability({ backend, durability, kills: sizes.kills, dir, seed })),
      );
    }
  }
  for (const backend of runs('corruption')) {
    for (const [name, extra] of [
      [backend, {}],
      [`${backend}+aes`, { encryptionKey }],
    ] as const) {
      progress(`corruption: ${name}, ${sizes.corruptionTrials} trials`);
      const openOptions = { ...referenceBackend(backend)?.faultOpenOptions, ...extra };
      result.corruption.push(
        await inDir((dir) =>
          runCorruption({ backend: name, trials: sizes.corruptionTrials, dir, options: openOptions, seed }),
        ),
      );
    }
  }
  // The redis faults run on a private server of their own, once whichever backends list them.
  if (runs('redis-faults').length > 0) {
    for (const fault of REDIS_FAULTS) {
      progress(`redis fault: ${fault}`);
      try {
        result.redisFaults.push(await runRedisFault({ fault }));
      } catch (err) {
        result.skipped.push(`redis fault ${fault}: ${(err as Error).message}`);
      }
    }
  }
  // The postgres faults start a private server each (they kill it or its connections).
  for (const backend of runs('postgres-crash')) {
    for (const durability of ['full', 'normal'] as const) {
      progress(`postgres crash: ${backend} (${durability}), ${sizes.serverKills} server kills`);
      try {
        const module = await loadFaultBackend(backend);
        result.crash.push(await runPostgresCrash({ module, durability, kills: sizes.serverKills, seed }));
      } catch (err) {
        result.skipped.push(`postgres crash on ${backend} (${durability}): ${(err as Error).message}`);
      }
    }
  }
  for (const backend of runs('postgres-terminate')) {
    progress(`postgres terminate: ${backend}, ${sizes.terminations} terminations`);
    try {
      const module = await loadFaultBackend(backend);
      result.postgresTerminate.push(await runPostgresTerminate({ module, terminations: sizes.terminations }));
    } catch (err) {
      result.skipped.push(`postgres terminate on ${backend}: ${(err as Error).message}`);
    }
  }
  for (const name of runs('hostile-input')) {
    const openOptions = options.openOptions?.[name];
    if (referenceBackend(name)?.server && openOptions === undefined) {
      result.skipped.push(`hostile input on ${name}: no server to connect to`);
      continue;
    }
    progress(`hostile input: ${name}, ${sizes.hostileCases} cases`);
    const module = await loadFaultBackend(name);
    result.hostileInput.push(
      await inDir((dir) => runHostileInput({ module, cases: sizes.hostileCases, dir, openOptions, seed })),
    );
  }
  for (const backend of runs('linearizability')) {
    progress(`linearizability: ${backend}, 2 processes x 2 clients x ${sizes.historyOpsPerClient} operations`);
    result.histories.push(
      await inDir((dir) => runTwoProcessHistory({ backend, dir, opsPerClient: sizes.historyOpsPerClient, seed })),
    );
  }
  if (options.encryptionBenchmark) {
    progress('encryption cost: sqlite vs sqlite+aes');
    result.encryption = await inDir((dir) => encryptionCost(profile, dir, encryptionKey));
  }
  return result;
}

/** sqlite against sqlite+aes, same run, same conditions: p50 per op and concurrency. */
async function encryptionCost(profile: Profile, dir: string, encryptionKey: string): Promise<EncryptionCost[]> {
  const aes = encrypted(sqlite, { key: encryptionKey });
  const ops = ['create', 'fetch-hit', 'touch', 'update-metadata'];
  const rows = await runBenchmarks(
    [
      { name: 'sqlite', module: sqlite, raw: false },
      { name: aes.name, module: aes, raw: false },
    ],
    { profile, ops, dir, openLoop: false },
  );
  const costs: EncryptionCost[] = [];
  for (const plain of rows.filter(
    (row) => row.backend === 'sqlite' && row.driver === 'backend' && ops.includes(row.op),
  )) {
    const sealed = rows.find(
      (row) =>
        row.backend === aes.name &&
        row.op === plain.op &&
        row.concurrency === plain.concurrency &&
        row.payloadBytes === plain.payloadBytes &&
        row.datasetSize === plain.datasetSize,
    );
    if (sealed === undefined) continue;
    const { op, datasetSize, payloadBytes, concurrency, mode } = plain;
    costs.push({
      op,
      datasetSize,
      payloadBytes,
      concurrency,
      mode,
      plainP50Us: plain.p50Us,
      encryptedP50Us: sealed.p50Us,
      ratio: sealed.p50Us / plain.p50Us,
    });
  }
  return costs;
}
