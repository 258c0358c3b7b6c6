// The redis key scheme. Every key of a namespace starts with `sb:{<tag>}:` where the tag is
// the namespace encoded in base64url: it never contains braces, so the tag is always the
// first `{...}` of the key and a Redis Cluster hashes every key of a namespace to one slot.
// That is what lets one Lua script touch a session key and the namespace's expiry index
// atomically on a cluster too. Ids follow the tag JSON-escaped (idKey), so no id, whatever
// characters it holds, can spell another session's key or the index key.
import { idKey } from './id-keys.js';

export class RedisKeys {
  /** Sorted set: member idKey(id), score = expiry in ms (+inf: never expires). */
  readonly index: string;
  /**
   * Sorted set: member idKey(id), score = when the native safety-net expiry removes the
   * session's hash (only sessions that have one). Lets list() drop members whose hash is
   * gone without checking every member.
   */
  readonly safetyNet: string;
  /** Session hashes are `sessionPrefix + idKey(id)`; the Lua scripts rebuild keys the same way. */
  readonly sessionPrefix: string;

  constructor(namespace: string) {
    // idKey first: base64url of raw UTF-8 would merge namespaces differing only in lone surrogates.
    const tag = Buffer.from(idKey(namespace), 'utf8').toString('base64url');
    this.index = `sb:{${tag}}:i`;
    this.safetyNet = `sb:{${tag}}:n`;
    this.sessionPrefix = `sb:{${tag}}:s:`;
  }

  member(id: string): string {
    return idKey(id);
  }

  session(id: string): string {
    return this.sessionPrefix + idKey(id);
  }
}
