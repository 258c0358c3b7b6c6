// Turns loaded backends into runnable targets for the CLI's commands: a reference backend gets
// the server its registry entry names (backends/servers: the one REDIS_URL or
// REDIS_CLUSTER_NODES names, a local one, or a private one stopped at teardown); a backend that
// can't have what it needs is skipped with the reason, never reported as passed. Progress,
// teardown on Ctrl-C and scratch dirs make this the CLI's concern, not a backend's.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type LoadedBackend, loadBackends } from '../backends/load-backend.js';
import { referenceBackend } from '../backends/registry.js';
import { provideServer, serverRequired } from '../backends/servers/provide.js';
import type { BenchTarget } from '../benchmarks/index.js';
import type { Progress } from '../benchmarks/progress.js';
import { Teardown } from './teardown.js';

export interface Target extends LoadedBackend {
  /** OpenContext.options for every open() of this backend. */
  openOptions?: Record<string, unknown>;
  /** Why it can't run here; set instead of openOptions. */
  skipReason?: string;
  /** Its server is required here (serverRequired): skipped, it fails the run. */
  required?: boolean;
}

/** Plug-ins have no raw driver underneath: only the reference backends get raw rows. */
export function benchTarget(target: Target): BenchTarget {
  const { module, kind, openOptions } = target;
  return {
    name: module.name,
    module,
    raw: kind === 'reference',
    ...(openOptions === undefined ? {} : { openOptions }),
  };
}

async function prepareTargets(
  backends: readonly LoadedBackend[],
  teardown: Teardown,
  progress: Progress,
): Promise<Target[]> {
  const targets: Target[] = [];
  for (const backend of backends) {
    if (backend.kind === 'reference') progress.line(`${backend.spec}: preparing`);
    const server = backend.kind === 'reference' ? referenceBackend(backend.spec)?.server : null;
    const provided = server ? await provideServer(server) : undefined;
    if (provided === undefined) {
      targets.push(backend);
    } else if ('skipped' in provided) {
      progress.note(`${backend.spec}: skipped (${provided.skipped})`);
      targets.push({ ...backend, skipReason: provided.skipped, required: serverRequired(server!) });
    } else {
      teardown.add(provided.stop);
      progress.note(`${backend.spec}: ${provided.note}`);
      targets.push({ ...backend, openOptions: provided.openOptions });
    }
  }
  return targets;
}

/**
 * Loads the backends (a broken plug-in is a SetupError before anything runs), prepares them,
 * and runs `body` with the targets and a scratch dir; the scratch dir and any provisioned
 * server are gone afterwards, also after Ctrl-C.
 */
export async function withTargets<T>(
  specs: readonly string[],
  progress: Progress,
  body: (targets: Target[], scratch: string) => Promise<T>,
): Promise<T> {
  const loaded = await loadBackends(specs);
  const teardown = new Teardown();
  teardown.onSignals((text) => progress.note(text));
  try {
    const scratch = mkdtempSync(join(tmpdir(), 'sessionbench-'));
    teardown.add(() => rmSync(scratch, { recursive: true, force: true }));
    return await body(await prepareTargets(loaded, teardown, progress), scratch);
  } finally {
    progress.done();
    await teardown.run();
  }
}

/**
 * For the console commands: `run` on each target in turn, each in a scratch dir of its own; a
 * target that can't run here is printed as skipped (a failure when its server is required).
 * Exit code 1 when a run reported failure or a required backend was skipped, else 0.
 */
export function eachTarget(
  specs: readonly string[],
  progress: Progress,
  run: (target: Target, dir: string) => Promise<boolean>,
): Promise<number> {
  return withTargets(specs, progress, async (targets, scratch) => {
    let failed = false;
    for (const [index, target] of targets.entries()) {
      if (target.skipReason === undefined) {
        const ok = await run(target, mkdtempSync(join(scratch, `${index}-`)));
        failed ||= !ok;
      } else {
        process.stdout.write(`${target.module.name}: skipped (${target.skipReason})\n`);
        failed ||= target.required === true;
      }
    }
    return failed ? 1 : 0;
  });
}
