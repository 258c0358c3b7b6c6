// Turns loaded backends into runnable targets: the redis reference backend gets a Redis (the
// one REDIS_URL names, the local one, or a private server stopped at teardown), redis-cluster a
// cluster (REDIS_CLUSTER_NODES, or a local 3 + 3 one stopped at teardown); a backend that
// can't have what it needs is skipped with the reason, never reported as passed.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { redactUrl } from '../backends/redis-client.js';
import type { BenchTarget } from '../benchmarks/index.js';
import { type LoadedBackend, loadBackends } from './load-backend.js';
import type { Progress } from '../benchmarks/progress.js';
import { requireAll } from './cli-options.js';
import { provideRedisCluster } from './redis-cluster.js';
import { provideRedis } from './redis-provider.js';
import { Teardown } from './teardown.js';

export interface Target extends LoadedBackend {
  /** OpenContext.options for every open() of this backend. */
  openOptions?: Record<string, unknown>;
  /** Why it can't run here; set instead of openOptions. */
  skipReason?: string;
}

/** Plug-ins have no raw driver underneath: only the reference backends get raw rows. */
export function benchTarget(target: Target): BenchTarget {
  const { module, kind, openOptions } = target;
  return { name: module.name, module, raw: kind === 'reference', ...(openOptions === undefined ? {} : { openOptions }) };
}

type Provision = { openOptions: Record<string, unknown>; stop(): Promise<void>; note: string } | { skipped: string };

/** What a reference backend needs from outside the process, if anything. */
async function provision(spec: string): Promise<Provision | undefined> {
  if (spec === 'redis') {
    const redis = await provideRedis();
    if ('skipped' in redis) return redis;
    return { openOptions: { url: redis.url }, stop: redis.stop, note: `using ${redactUrl(redis.url)} (${redis.source}${redis.note === undefined ? '' : `; ${redis.note}`})` };
  }
  if (spec === 'redis-cluster') {
    const c = await provideRedisCluster();
    if ('skipped' in c) return c;
    return { openOptions: { nodes: c.nodes }, stop: c.stop, note: `using ${c.nodes.length} seed nodes (${c.source})` };
  }
  return undefined;
}

async function prepareTargets(backends: readonly LoadedBackend[], teardown: Teardown, progress: Progress): Promise<Target[]> {
  const targets: Target[] = [];
  for (const backend of backends) {
    if (backend.kind === 'reference') progress.line(`${backend.spec}: preparing`);
    const provided = backend.kind === 'reference' ? await provision(backend.spec) : undefined;
    if (provided === undefined) {
      targets.push(backend);
    } else if ('skipped' in provided) {
      progress.note(`${backend.spec}: skipped (${provided.skipped})`);
      targets.push({ ...backend, skipReason: provided.skipped });
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
export async function withTargets<T>(specs: readonly string[], progress: Progress, body: (targets: Target[], scratch: string) => Promise<T>): Promise<T> {
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
 * target that can't run here is printed as skipped (a failure when every backend is required).
 * Exit code 1 when a run reported failure or a required backend was skipped, else 0.
 */
export function eachTarget(specs: readonly string[], progress: Progress, run: (target: Target, dir: string) => Promise<boolean>): Promise<number> {
  return withTargets(specs, progress, async (targets, scratch) => {
    let failed = false;
    for (const [index, target] of targets.entries()) {
      if (target.skipReason === undefined) {
        const ok = await run(target, mkdtempSync(join(scratch, `${index}-`)));
        failed ||= !ok;
      } else {
        process.stdout.write(`${target.module.name}: skipped (${target.skipReason})\n`);
        failed ||= requireAll();
      }
    }
    return failed ? 1 : 0;
  });
}
