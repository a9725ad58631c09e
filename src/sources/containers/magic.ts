/** How many leading bytes `sniff` wants (tar's magic sits at offset 257). */
export const SNIFF_BYTES = 512;

/**
 * ISO 9660 puts its magic at 32769, after a system area that is usually all zeros. `sniff` asks for
 * this much (see `wantsDeeperHead` in sniff.ts) only when the first 512 bytes are all zero, so the
 * common case never reads more.
 */
export const DEEP_SNIFF_BYTES = 32 * 1024 + 6;

/** True when `head` holds `bytes` at `offset`. */
export const startsWith = (head: Buffer, bytes: readonly number[], offset = 0): boolean =>
  head.length >= offset + bytes.length && bytes.every((b, i) => head[offset + i] === b);

/** True when `head` holds the Latin-1 `text` at `offset`. */
export const ascii = (head: Buffer, offset: number, text: string): boolean =>
  head.length >= offset + text.length && head.toString('latin1', offset, offset + text.length) === text;
