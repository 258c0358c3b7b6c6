// Runs zoo members on a worker thread, so the zoo test uses every core it is given: told a
// member's index, it runs the suite on that member and posts the results back.
import { parentPort } from 'node:worker_threads';
import { runSuite } from '../../properties/index.js';
import type { PropertyResult } from '../../properties/result.js';
import { ZOO } from './index.js';

export interface ZooJob {
  index: number;
  seed: number;
  /** The whole suite rather than only the properties the member is listed for. */
  full: boolean;
}

export type ZooReply = { index: number; results: PropertyResult[] } | { index: number; error: string };

parentPort!.on('message', async ({ index, seed, full }: ZooJob) => {
  const member = ZOO[index]!;
  let reply: ZooReply;
  try {
    const results = await runSuite(member.module, {
      profile: 'quick',
      seed,
      only: full ? undefined : member.expected,
      createManager: member.createManager,
      // Every member lives in test/zoo/<name>.ts: the replay command can load it by path.
      backend: `test/zoo/${member.module.name}.ts`,
    });
    reply = { index, results };
  } catch (err) {
    reply = { index, error: err instanceof Error ? (err.stack ?? err.message) : String(err) };
  }
  parentPort!.postMessage(reply);
});
