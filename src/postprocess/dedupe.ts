import type { Notice } from '../sources/item.js';

/** What makes two notices the same statement (and, in sort.ts, their order). */
export const noticeKey = (n: Notice): string => `${n.location ?? ''}\0${n.level}\0${n.message}`;

/**
 * One notice per statement (the same one can be made more than once, by each shard of a merge for
 * one); the last made wins. Runs after redaction, so notices that differed only by a plate are one.
 */
export function dedupeNotices(notices: readonly Notice[]): Notice[] {
  const seen = new Map<string, Notice>();
  for (const n of notices) seen.set(noticeKey(n), n);
  return [...seen.values()];
}
