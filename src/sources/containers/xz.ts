import { createRequire } from 'node:module';
import { Duplex } from 'node:stream';
import { decompressedName, expandCompressed, type StreamCodec } from '../archives/compressed.js';
import { ArchiveLimitError } from '../archives/errors.js';
import type { ResolvedArchiveOptions } from '../archives/options.js';
import type { StreamContainer } from './format.js';
import { startsWith } from './magic.js';

/** The part of lzma-native custody uses: a decompressor is a readable-stream Transform over liblzma. */
interface LzmaNative {
  createDecompressor(options: { memlimit: number }): Duplex;
}

// Loaded on first use (a .xz is rare), synchronously: the package is CommonJS and loads a native addon.
let lzma: LzmaNative | undefined;
function load(): LzmaNative {
  lzma ??= createRequire(import.meta.url)('lzma-native') as LzmaNative;
  return lzma;
}

/**
 * Compressed bytes handed to liblzma at a time. liblzma decodes each write whole, whatever the
 * consumer wants, and LZMA2 reaches about 7000:1 on zeros: 4 KiB gives at most ~28 MB before the
 * limits downstream see it (a 64 KiB write of a bomb would give ~450 MB).
 */
const SLICE_BYTES = 4096;

/**
 * An xz decoder as a Node duplex: liblzma (through lzma-native's prebuilt addon) fed in small slices,
 * one at a time and only while the consumer wants more, so a bomb is stopped after one slice's
 * output. Its dictionary is held to `memlimit`: a header asking for more is an archive limit.
 */
function unxz(options: ResolvedArchiveOptions, location: string): Duplex {
  const inner = load().createDecompressor({ memlimit: options.maxBufferedArchiveBytes });
  let resume: (() => void) | undefined;
  /** Whether the consumer asked for more since the last push that filled its buffer. */
  let wanted = false;
  const feed = (data: Buffer, done: (error?: Error | null) => void): void => {
    if (data.length === 0) return done();
    const write = () => inner.write(data.subarray(0, SLICE_BYTES), (error) => (error ? done(error) : feed(data.subarray(SLICE_BYTES), done)));
    if (wanted) write();
    else resume = write;
  };
  const outer: Duplex = new Duplex({
    write: (data: Buffer, _encoding, callback) => feed(data, callback),
    final(callback) {
      inner.end();
      callback();
    },
    read() {
      wanted = true;
      inner.resume();
      const next = resume;
      resume = undefined;
      next?.();
    },
    destroy(error, callback) {
      inner.destroy();
      callback(error);
    },
  });
  inner.on('data', (chunk: Buffer) => {
    wanted = outer.push(chunk) && wanted;
    if (!wanted) inner.pause();
  });
  inner.on('end', () => outer.push(null));
  inner.on('error', (error: Error) => outer.destroy(describe(error, options, location)));
  return outer;
}

/** liblzma's error names, as reports say them. */
function describe(error: Error, options: ResolvedArchiveOptions, location: string): Error {
  switch (error.name) {
    case 'LZMA_MEMLIMIT_ERROR': {
      const cap = options.maxBufferedArchiveBytes;
      return new ArchiveLimitError('maxBufferedArchiveBytes', cap, location, `xz stream needs a dictionary over ${cap} bytes to decode; not decompressed`);
    }
    case 'LZMA_BUF_ERROR':
      return new Error('xz: stream truncated');
    case 'LZMA_FORMAT_ERROR':
      return new Error('xz: not an xz stream where one should start');
    case 'LZMA_OPTIONS_ERROR':
      return new Error('xz: unsupported options (filter or check) in the stream header');
    default:
      return new Error(/check|crc/i.test(error.message) ? 'xz: checksum mismatch, corrupt stream' : 'xz: corrupt stream');
  }
}

/** The name of a single xz-compressed file: the outer name minus `.xz` (`.txz` gives `.tar`), as unxz names it. */
export const unxzName = (location: string): string => decompressedName(location, /\.txz$/i, /\.xz$/i);

const XZ: StreamCodec = {
  id: 'xz',
  decoder: unxz,
  // xz records no name or date; the first bytes are read from a decoding stream that stops once it has them.
  headBytes: 0,
  memberName: unxzName,
};

/**
 * An xz stream (.xz, .tar.xz, .txz; concatenated streams and stream padding as xz itself accepts): a
 * tar inside is walked as one archive, anything else is one member. Decoded by liblzma (lzma-native,
 * whose prebuilt addon ships in the npm package); every block's check is verified.
 */
export const xzFormat: StreamContainer<'application/x-xz'> = {
  id: 'xz',
  media: 'application/x-xz',
  magic: (h) => startsWith(h, [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]),
  randomAccess: false,
  limits: ['maxDepth', 'maxTotalBytes', 'maxEntries', 'maxCompressionRatio', 'ratioCheckMinBytes', 'maxMemberBufferBytes', 'maxBufferedArchiveBytes'],
  reasons: ['corrupt-archive', 'link-member', 'special-file'],
  open: (content, level, walk) => expandCompressed(XZ, content, level, walk),
};
