// The Lua scripts of the redis backend. Each runs atomically on the server, so a session hash
// and its index members always change together, against every other client. ioredis sends
// them with EVALSHA (falling back to EVAL once after a SCRIPT FLUSH or on a new server).
// Session keys the scripts derive from index members (`prefix .. member`) share the
// namespace's hash tag, hence the slot of the declared keys: legal on a cluster too.
import type { Cluster, Redis } from 'ioredis';

export type RedisClient = Redis | Cluster;

/**
 * Lua shared by the write scripts: moves a session's expiry index member and native expiry to
 * `score` (its expiry, or '+inf'). The native expiry is a safety net only: max(logical expiry,
 * server clock) + margin, so it never fires before the logical expiry, whatever clock the
 * caller's `now` follows (the suite's virtual clock starts near 0). '%.0f' keeps large ms
 * values out of exponent notation.
 */
const SET_EXPIRY = `
local function setExpiry(key, index, safetyNet, member, score, margin)
  redis.call('ZADD', index, score, member)
  if score == '+inf' then
    redis.call('PERSIST', key)
    redis.call('ZREM', safetyNet, member)
  else
    local t = redis.call('TIME')
    local serverMs = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
    local at = string.format('%.0f', math.max(tonumber(score), serverMs) + tonumber(margin))
    redis.call('PEXPIREAT', key, at)
    redis.call('ZADD', safetyNet, at, member)
  end
end
`;

/**
 * KEYS: session hash, expiry index, safety-net index. ARGV: JSON text, version, member,
 * score (expiry or '+inf'), expected version ('' for a plain upsert), safety-net margin in ms.
 * Returns nil when written, else the stored version that failed the compare-and-set.
 * The version lives in its own field `v` so the check never parses JSON.
 */
const STORE = `${SET_EXPIRY}
if ARGV[5] ~= '' then
  local stored = redis.call('HGET', KEYS[1], 'v') or '0'
  if stored ~= ARGV[5] then return stored end
end
redis.call('HSET', KEYS[1], 'd', ARGV[1], 'v', ARGV[2])
setExpiry(KEYS[1], KEYS[2], KEYS[3], ARGV[3], ARGV[4], ARGV[6])
return false
`;

/**
 * KEYS: session hash, expiry index, safety-net index. ARGV: the record's head up to its
 * createdAt value (`{"id":<idKey(id)>,"createdAt":`), member, lastAccessedAt, now, safety-net
 * margin in ms, size limit in bytes.
 * Touches in place: nil when missing or expired at `now`; else {'ok', new JSON text} once
 * written, or {code, why} with nothing written. The record is encodeSession's text, whose
 * fields come in a fixed order ahead of the metadata, so the script edits the two numbers by
 * position and never decodes the metadata (cjson would re-round its numbers to 14 digits).
 * Lua numbers are doubles: exact for every safe integer, which the limit checks keep them to.
 * The metadata is not parsed here (cjson refuses lone surrogates JSON.parse accepts): a record
 * damaged inside it keeps its damage, touched, and the caller's decode reports CORRUPT.
 */
const TOUCH = `${SET_EXPIRY}
local MAX = 9007199254740991
local text = redis.call('HGET', KEYS[1], 'd')
if not text then return false end
local head = ARGV[1]
if string.sub(text, 1, #head) ~= head then return {'corrupt', 'stored record does not start with its id'} end
local created, la, p = string.match(text, '^(%d+),"lastAccessedAt":(%d+),"timeoutMs":()', #head + 1)
if not p then return {'corrupt', 'stored record is not a session'} end
local timeout, q = string.match(text, '^(%d+)()', p)
if not timeout then
  if string.sub(text, p, p + 3) ~= 'null' then return {'corrupt', 'stored timeoutMs is not a timeout'} end
  q = p + 4
end
local version, tail = string.match(text, '^,"version":(%d+)(),"metadata":', q)
if not version then return {'corrupt', 'stored record is not a session'} end
for _, digits in ipairs({la, timeout or '0', version}) do
  if #digits > 16 or tonumber(digits) > MAX then return {'corrupt', 'stored number is not a safe integer'} end
end
la = tonumber(la)
version = tonumber(version)
if timeout and tonumber(ARGV[4]) >= la + tonumber(timeout) then return false end
la = math.max(la, tonumber(ARGV[3]))
version = version + 1
if version > MAX then return {'limit', 'touch would take the version past 2^53 - 1'} end
local score = '+inf'
if timeout then
  if la + tonumber(timeout) > MAX then return {'limit', 'touch would take lastAccessedAt + timeoutMs past 2^53 - 1'} end
  score = string.format('%.0f', la + tonumber(timeout))
end
local v = string.format('%.0f', version)
local touched = head .. created .. ',"lastAccessedAt":' .. string.format('%.0f', la) .. ',"timeoutMs":' .. (timeout or 'null') .. ',"version":' .. v .. string.sub(text, tail)
if #touched > tonumber(ARGV[6]) then return {'large', 'session is over the ' .. ARGV[6] .. '-byte limit'} end
redis.call('HSET', KEYS[1], 'd', touched, 'v', v)
setExpiry(KEYS[1], KEYS[2], KEYS[3], ARGV[2], score, ARGV[5])
return {'ok', touched}
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
  sbTouch(
    key: string,
    index: string,
    safetyNet: string,
    head: string,
    member: string,
    lastAccessedAt: string,
    now: string,
    marginMs: string,
    maxBytes: string,
  ): Promise<[code: string, detail: string] | null>;
  sbDelete(key: string, index: string, safetyNet: string, member: string): Promise<number>;
  sbPrune(index: string, safetyNet: string, batch: string, prefix: string): Promise<string[]>;
  sbCleanup(index: string, safetyNet: string, now: string, batch: string, prefix: string): Promise<[number, number]>;
}

/** Registers the scripts on a client (standalone or cluster) and returns it typed with them. */
export function defineSessionScripts(client: RedisClient): RedisClient & SessionScripts {
  client.defineCommand('sbStore', { lua: STORE, numberOfKeys: 3 });
  client.defineCommand('sbTouch', { lua: TOUCH, numberOfKeys: 3 });
  client.defineCommand('sbDelete', { lua: DELETE, numberOfKeys: 3 });
  client.defineCommand('sbPrune', { lua: PRUNE, numberOfKeys: 2 });
  client.defineCommand('sbCleanup', { lua: CLEANUP, numberOfKeys: 2 });
  return client as RedisClient & SessionScripts;
}
