// The raw row under the redis backend: plain ioredis commands writing what the backend's Lua
// scripts write (the session hash {d, v}, its expiry-index member, the safety-net PEXPIREAT),
// pipelined into one round trip, on a client configured exactly as the backend's.
import type { ChainableCommander, Redis } from 'ioredis';
import type { OpenContext, Session } from '../backends/contract.js';
import { connectRedis, redisConnectionOptions } from '../backends/redis-client.js';
import { RedisKeys } from '../backends/redis-keys.js';
import { SAFETY_NET_MS } from '../backends/redis.js';
import { expiresAt } from '../backends/expiry.js';
import type { RawDriver } from './raw-driver.js';

const LOAD_CHUNK = 1000;

async function exec(pipeline: ChainableCommander): Promise<unknown[]> {
  const replies = (await pipeline.exec()) ?? [];
  return replies.map(([err, reply]) => {
    if (err) throw err;
    return reply;
  });
}

class RawRedis implements RawDriver {
  constructor(
    private readonly client: Redis,
    private readonly keys: RedisKeys,
  ) {}

  insert(session: Session): Promise<void> {
    return this.put(session);
  }

  async get(id: string): Promise<Session | undefined> {
    const [text] = await this.client.hmget(this.keys.session(id), 'd', 'v');
    return text === null || text === undefined ? undefined : (JSON.parse(text) as Session);
  }

  async put(session: Session): Promise<void> {
    await exec(this.#write(this.client.pipeline(), session));
  }

  async remove(id: string): Promise<boolean> {
    const [deleted] = await exec(
      this.client.pipeline().del(this.keys.session(id)).zrem(this.keys.index, this.keys.member(id)),
    );
    return deleted === 1;
  }

  async loadAll(sessions: Iterable<Session>): Promise<void> {
    let pipeline = this.client.pipeline();
    let queued = 0;
    for (const session of sessions) {
      this.#write(pipeline, session);
      if (++queued === LOAD_CHUNK) {
        await exec(pipeline);
        pipeline = this.client.pipeline();
        queued = 0;
      }
    }
    if (queued > 0) await exec(pipeline);
  }

  async listLive(now: number): Promise<string[]> {
    const members = await this.client.zrange(this.keys.index, `(${now}`, '+inf', 'BYSCORE');
    return members.map((member) => JSON.parse(member) as string);
  }

  async removeExpired(now: number): Promise<number> {
    const members = await this.client.zrange(this.keys.index, '-inf', String(now), 'BYSCORE');
    if (members.length === 0) return 0;
    const pipeline = this.client.pipeline();
    pipeline.del(...members.map((member) => this.keys.sessionPrefix + member));
    pipeline.zrem(this.keys.index, ...members);
    const [deleted] = await exec(pipeline);
    return deleted as number;
  }

  async close(): Promise<void> {
    // The server outlives the run: remove every key of this namespace.
    let cursor = '0';
    do {
      const [next, keys] = await this.client.scan(
        cursor,
        'MATCH',
        `${this.keys.sessionPrefix.slice(0, -2)}*`,
        'COUNT',
        1000,
      );
      if (keys.length > 0) await this.client.unlink(...keys);
      cursor = next;
    } while (cursor !== '0');
    await this.client.quit();
  }

  #write(pipeline: ChainableCommander, session: Session): ChainableCommander {
    const key = this.keys.session(session.id);
    const expiry = expiresAt(session);
    pipeline.hset(key, 'd', JSON.stringify(session), 'v', String(session.version));
    pipeline.zadd(this.keys.index, expiry === null ? '+inf' : String(expiry), this.keys.member(session.id));
    if (expiry === null) return pipeline.persist(key);
    return pipeline.pexpireat(key, Math.max(expiry, Date.now()) + SAFETY_NET_MS);
  }
}

export async function openRawDriver(context: OpenContext): Promise<RawDriver> {
  const client = await connectRedis(redisConnectionOptions(context.options));
  return new RawRedis(client, new RedisKeys(context.namespace));
}
