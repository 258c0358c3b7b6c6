// A private Redis for a test that needs one (its own server: a run may wipe or count its keys).
import assert from 'node:assert/strict';
import { serverRequired } from '../../backends/servers/provide.js';
import { type ProvidedRedis, provideRedis } from '../../backends/servers/redis-provider.js';

/** undefined (and the test skipped) when none can be had, unless CI requires one. */
export async function privateRedis(t: { skip(reason: string): void }): Promise<ProvidedRedis | undefined> {
  const provided = await provideRedis({ forceEmbedded: true });
  if (!('skipped' in provided)) return provided;
  assert.ok(!serverRequired('redis'), `SESSIONBENCH_REQUIRE_REDIS=1 but ${provided.skipped}`);
  t.skip(provided.skipped);
  return undefined;
}
