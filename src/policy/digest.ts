import { createHash } from 'node:crypto';

/**
 * A policy's digest, as reports name it: sha256 of its bytes. Apart from load.ts so that the
 * built-in policy (an audit without --policy) does not load the YAML parser.
 */
export const digestOf = (bytes: Buffer | string): string => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
