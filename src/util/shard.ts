import { createHash } from 'node:crypto';
import { UsageError } from './errors.js';
import { escapeInvisible } from './escape.js';

/**
 * The shard (1..count) a location belongs to: a hash of the location, so shards balance whatever the
 * tree's shape, and every machine agrees without coordination. Audits shard what they scan (archive
 * members go with their archive), `custody fingerprint --shard` the reference files.
 */
export function shardOf(location: string, count: number): number {
  const digest = createHash('sha256').update(location).digest();
  return (digest.readUInt32BE(0) % count) + 1;
}

/** Parses `k/n` (1 <= k <= n); anything else, the empty string included, is a UsageError naming `flag`. */
export function parseShard(text: string, flag = '--shard'): { index: number; count: number } {
  const match = /^(\d+)\/(\d+)$/.exec(text);
  const index = Number(match?.[1]);
  const count = Number(match?.[2]);
  if (!match || !Number.isSafeInteger(count) || count < 1 || index < 1 || index > count)
    throw new UsageError(`${flag} takes k/n with 1 <= k <= n, e.g. 2/4, not "${escapeInvisible(text)}"`);
  return { index, count };
}
