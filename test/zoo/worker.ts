// Runs zoo members (and controls) on a worker thread, so the zoo test uses every core it is
// given: told which one, it runs the suite on it and posts the results back.
import { parentPort } from 'node:worker_threads';
import { runSuite } from '../../properties/index.js';
import type { PropertyResult } from '../../properties/engine/result.js';
import { CONTROLS, ZOO, type ZooMember } from './index.js';

export interface ZooJob {
  list: 'zoo' | 'controls';
  index: number;
  seed: number;
  /** Property ids to run; the whole suite when absent. */
  only?: string[];
}

export type ZooReply = { job: ZooJob; results: PropertyResult[] } | { job: ZooJob; error: string };

parentPort!.on('message', async (job: ZooJob) => {
  const member: Pick<ZooMember, 'module' | 'createManager'> =
    job.list === 'zoo' ? ZOO[job.index]! : { module: CONTROLS[job.index]! };
  let reply: ZooReply;
  try {
    const results = await runSuite(member.module, {
      profile: 'quick',
      seed: job.seed,
      only: job.only,
      createManager: member.createManager,
      // Every member lives in test/zoo/<name>.ts: the replay command can load it by path.
      backend: job.list === 'zoo' ? `test/zoo/${member.module.name}.ts` : undefined,
    });
    reply = { job, results };
  } catch (err) {
    reply = { job, error: err instanceof Error ? (err.stack ?? err.message) : String(err) };
  }
  parentPort!.postMessage(reply);
});
