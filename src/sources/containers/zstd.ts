import { Duplex } from 'node:stream';
import { decompressedName, expandCompressed, type StreamCodec } from '../archives/compressed.js';
import type { StreamContainer } from './format.js';
import { startsWith } from './magic.js';

type Fzstd = typeof import('fzstd');

// Loaded on first use (a .zst is rare); fzstd is pure JavaScript, with no dependency.
let fzstd: Fzstd | undefined;
const load = async (): Promise<Fzstd> => {
  fzstd ??= await import('fzstd');
  return fzstd;
};

/**
 * Compressed bytes handed to fzstd at a time. It decodes each push whole, and an RLE block turns 4
 * bytes into 128 KiB: 1 KiB gives at most ~32 MB before the limits downstream see it. (It is also
 * the fastest slice measured: larger pushes make fzstd join its pending input more often.)
 */
const SLICE_BYTES = 1024;

/**
 * A Zstandard decoder as a Node duplex, over fzstd's streaming decoder, fed in small slices and only
 * while the consumer wants more, so that a bomb is stopped after one slice's output. fzstd sizes its
 * window from the frame header (up to 2 GiB, which it refuses past): that memory is only touched as
 * output is written, and output is counted downstream.
 */
function unzstd(): Duplex {
  let decoder: InstanceType<Fzstd['Decompress']> | undefined;
  let resume: (() => void) | undefined;
  /** Whether the consumer asked for more since the last push that filled its buffer. */
  let wanted = false;
  const push = (slice: Buffer, last: boolean): void => {
    decoder ??= new fzstd!.Decompress((chunk) => {
      if (chunk.length > 0) wanted = outer.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length)) && wanted;
    });
    decoder.push(slice, last);
  };
  const feed = (data: Buffer, done: (error?: Error | null) => void): void => {
    try {
      let at = 0;
      while (at < data.length && wanted) {
        push(data.subarray(at, at + SLICE_BYTES), false);
        at += SLICE_BYTES;
      }
      if (at >= data.length) done();
      else resume = () => feed(data.subarray(at), done);
    } catch (error) {
      done(describe(error));
    }
  };
  const outer: Duplex = new Duplex({
    write(data: Buffer, _encoding, callback) {
      load().then(
        () => feed(data, callback),
        (error: Error) => callback(error),
      );
    },
    final(callback) {
      try {
        // Says whether the input ended inside a frame; an empty input is no zstd stream at all.
        if (!decoder) throw new Error('empty');
        decoder.push(new Uint8Array(0), true);
        outer.push(null);
        callback();
      } catch (error) {
        callback(describe(error));
      }
    },
    read() {
      wanted = true;
      const next = resume;
      resume = undefined;
      next?.();
    },
  });
  return outer;
}

/** fzstd's messages are terse ("unexpected EOF"): reports say what happened. */
function describe(error: unknown): Error {
  const message = error instanceof Error ? error.message : String(error);
  if (/EOF|empty/i.test(message)) return new Error('zstd: stream truncated');
  if (/window size/i.test(message)) return new Error('zstd: window size too large, not decompressed');
  if (/dictionar/i.test(message)) return new Error('zstd: frame needs a dictionary custody does not have; not decompressed');
  if (error instanceof RangeError) return new Error('zstd: frame window could not be allocated; not decompressed');
  return new Error('zstd: corrupt stream');
}

/** The name of a single zstd-compressed file: the outer name minus `.zst` (`.tzst` gives `.tar`), as unzstd names it. */
export const unzstdName = (location: string): string => decompressedName(location, /\.tzst$/i, /\.zstd?$/i);

const ZSTD: StreamCodec = {
  id: 'zstd',
  decoder: unzstd,
  // zstd records no name or date; the first bytes are read from a decoding stream that stops once it has them.
  headBytes: 0,
  memberName: unzstdName,
};

/**
 * A Zstandard stream (.zst, .tar.zst, .tzst; concatenated and skippable frames): a tar inside is
 * walked as one archive, anything else is one member. Decoded in pure JavaScript by fzstd, which
 * does not verify the optional content checksum (a corrupted block still fails to decode, mostly).
 */
export const zstdFormat: StreamContainer<'application/zstd'> = {
  id: 'zstd',
  media: 'application/zstd',
  magic: (h) => startsWith(h, [0x28, 0xb5, 0x2f, 0xfd]),
  randomAccess: false,
  limits: ['maxDepth', 'maxTotalBytes', 'maxEntries', 'maxCompressionRatio', 'ratioCheckMinBytes', 'maxMemberBufferBytes', 'maxBufferedArchiveBytes'],
  reasons: ['corrupt-archive', 'link-member', 'special-file'],
  open: (content, level, walk) => expandCompressed(ZSTD, content, level, walk),
};
