// The Lua scripts of the redis backend. Each runs atomically on the server, so a session hash
// and its index members always change together, against every other client. ioredis sends
// them with EVALSHA (falling back to EVAL once after a SCRIPT FLUSH or on a new server).
// Session keys the scripts derive from index members (`prefix .. member`) share the
// namespace's hash tag, hence the slot of the declared keys: legal on a cluster too.
import type { Cluster, Redis } from 'ioredis';

export type RedisClient = Redis | Cluster;

/**
 * KEYS: session hash, expiry index, safety-net index. ARGV: JSON text, version, member,
 * score (expiry or '+inf'), expected version ('' for a plain upsert), safety-net margin in ms.
 * Returns nil when written, else the stored version that failed the compare-and-set.
 * The version lives in its own field `v` so the check never parses JSON. The native expiry is
 * a safety net only: max(logical expiry, server clock) + margin, so it never fires before the
 * logical expiry, whatever clock the caller's `now` follows (the suite's virtual clock starts
 * near 0). '%.0f' keeps large ms values out of exponent notation.
 */
const STORE = `
if ARGV[5] ~= '' then
  local stored = redis.call('HGET', KEYS[1], 'v') or '0'
  if stored ~= ARGV[5] then return stored end
end
redis.call('HSET', KEYS[1], 'd', ARGV[1], 'v', ARGV[2])
redis.call('ZADD', KEYS[2], ARGV[4], ARGV[3])
if ARGV[4] == '+inf' then
  redis.call('PERSIST', KEYS[1])
  redis.call('ZREM', KEYS[3], ARGV[3])
else
  local t = redis.call('TIME')
  local serverMs = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
  local at = string.format('%.0f', math.max(tonumber(ARGV[4]), serverMs) + tonumber(ARGV[6]))
  redis.call('PEXPIREAT', KEYS[1], at)
  redis.call('ZADD', KEYS[3], at, ARGV[3])
end
return false
`;

/** KEYS: session hash, expiry index, safety-net index. ARGV: member. 1 when the hash existed. */
const DELETE = `
local n = redis.call('DEL', KEYS[1])
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('ZREM', KEYS[3], ARGV[1])
return n
`;

/**
 * KEYS: expiry index, safety-net index. ARGV: batch size, session key prefix.
 * Drops up to one batch of members whose safety net has fired (their hash expired natively,
 * or is due now: the DEL makes sure), so the expiry index never names a missing hash.
 * Returns the members dropped: usually none, at the cost of one range probe.
 */
const PRUNE = `
local t = redis.call('TIME')
local serverMs = string.format('%.0f', tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000))
local members = redis.call('ZRANGE', KEYS[2], '-inf', serverMs, 'BYSCORE', 'LIMIT', 0, tonumber(ARGV[1]))
for _, m in ipairs(members) do
  redis.call('DEL', ARGV[2] .. m)
  redis.call('ZREM', KEYS[1], m)
  redis.call('ZREM', KEYS[2], m)
end
return members
`;

/**
 * KEYS: expiry index, safety-net index. ARGV: now, batch size, session key prefix.
 * Removes up to one batch of sessions expired at `now` (hash and both members), so one call
 * blocks the server only briefly. Returns {members taken, hashes deleted}: a member whose
 * hash is already gone is dropped but not counted as a removed session.
 */
const CLEANUP = `
local members = redis.call('ZRANGE', KEYS[1], '-inf', ARGV[1], 'BYSCORE', 'LIMIT', 0, tonumber(ARGV[2]))
local removed = 0
for _, m in ipairs(members) do
  removed = removed + redis.call('DEL', ARGV[3] .. m)
  redis.call('ZREM', KEYS[1], m)
  redis.call('ZREM', KEYS[2], m)
end
return {#members, removed}
`;

export interface SessionScripts {
  sbStore(
    key: string,
    index: string,
    safetyNet: string,
    text: string,
    version: string,
    member: string,
    score: string,
    expected: string,
    marginMs: string,
  ): Promise<string | null>;
  sbDelete(key: string, index: string, safetyNet: string, member: string): Promise<number>;
  sbPrune(index: string, safetyNet: string, batch: string, prefix: string): Promise<string[]>;
  sbCleanup(index: string, safetyNet: string, now: string, batch: string, prefix: string): Promise<[number, number]>;
}

/** Registers the scripts on a client (standalone or cluster) and returns it typed with them. */
export function defineSessionScripts(client: RedisClient): RedisClient & SessionScripts {
  client.defineCommand('sbStore', { lua: STORE, numberOfKeys: 3 });
  client.defineCommand('sbDelete', { lua: DELETE, numberOfKeys: 3 });
  client.defineCommand('sbPrune', { lua: PRUNE, numberOfKeys: 2 });
  client.defineCommand('sbCleanup', { lua: CLEANUP, numberOfKeys: 2 });
  return client as RedisClient & SessionScripts;
}
