// One load process of worker-load.ts: opens its own connections to the backend (and the raw
// driver) the parent prefilled, and measures its share of the operations in flight when asked.
import { loadReferenceBackend } from '../backends/registry.js';
import { measureClosedLoop } from './closed-loop.js';
import { Dataset } from './dataset.js';
import { rawDriverFor, rawSurface } from './raw.js';
import { backendSurface, type Surface } from './surface.js';
import {
  type FromChild,
  firstCreatedIndex,
  type Reply,
  type Request,
  type ToChild,
  type WorkerDriver,
  type WorkerSetup,
} from './worker-load.js';
import { mixedRunner, type Op, opRunner, type OpRunner, type WorkloadContext } from './workloads.js';

const surfaces = new Map<WorkerDriver, WorkloadContext>();
const runners = new Map<string, OpRunner>();
let mixes: WorkerSetup['mixes'] = [];

async function open(setup: WorkerSetup, index: number): Promise<void> {
  const module = await loadReferenceBackend(setup.backend);
  const dataset = new Dataset(setup.dataset.size, setup.dataset.payloadBytes, setup.dataset.seed);
  const context = (surface: Surface): WorkloadContext => ({
    surface,
    dataset,
    seed: setup.seed + index + 1,
    nextIndex: { value: firstCreatedIndex(dataset.size, index) },
  });
  mixes = setup.mixes;
  const backend = await module.open({ dir: setup.dir, namespace: setup.namespace, options: setup.openOptions });
  surfaces.set('backend', context(backendSurface(backend)));
  if (setup.raw !== undefined) {
    const factory = await rawDriverFor(module);
    if (factory === undefined) throw new Error(`${setup.backend} has no raw driver`);
    surfaces.set('raw', context(rawSurface(await factory({ ...setup.raw, options: setup.openOptions }))));
  }
}

function runnerFor(driver: WorkerDriver, op: string): OpRunner {
  const key = `${driver} ${op}`;
  const known = runners.get(key);
  if (known !== undefined) return known;
  const context = surfaces.get(driver);
  if (context === undefined) throw new Error(`no ${driver} open`);
  const mix = mixes.find((m) => `mixed:${m.name}` === op);
  const runner =
    mix === undefined ? opRunner(op as Exclude<Op, 'mixed' | 'cleanup-expired'>, context) : mixedRunner(context, mix);
  if (runner === undefined) throw new Error(`${driver} can't run ${op}`);
  runners.set(key, runner);
  return runner;
}

async function handle(message: Request): Promise<Reply> {
  switch (message.type) {
    case 'open':
      await open(message.setup, message.index);
      return { type: 'done' };
    case 'measure': {
      const m = await measureClosedLoop(runnerFor(message.driver, message.op), message.settings);
      return {
        type: 'done',
        measurement: { sortedUs: Float64Array.from(m.sortedUs), opsPerSec: m.opsPerSec, rme: m.rme },
      };
    }
    case 'close':
      // The raw driver's close also removes its namespace: harmless, the parent closes its own after.
      for (const { surface } of surfaces.values()) await surface.close();
      return { type: 'done' };
  }
}

process.on('message', ({ id, request }: ToChild) => {
  const send = (reply: Reply): void => void process.send!({ id, reply } satisfies FromChild);
  handle(request).then(
    (reply) => {
      send(reply);
      if (request.type === 'close') process.disconnect();
    },
    (err: unknown) => send({ type: 'failed', message: (err as Error)?.stack ?? String(err) }),
  );
});
