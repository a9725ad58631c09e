import { createRequire } from 'node:module';
import { Duplex } from 'node:stream';
import { decompressedName, expandCompressed, type StreamCodec } from '../archives/compressed.js';
import type { StreamContainer } from './format.js';
import { ascii, startsWith } from './magic.js';

/** Reads `n` bits (or aligns to a byte on `null`); counts the bytes it has started. */
type BitReader = ((n: number | null) => number) & { bytesRead: number };

/** unbzip2-stream's block decoder (lib/bzip2.js): the part of the package custody uses. */
interface Bzip2Blocks {
  /** Reads a stream header; returns its block size in 100 kB. */
  header(bits: BitReader): number;
  /** Decodes one block into `sink`, byte by byte; returns the running stream CRC, or null at the end of a stream. */
  decompress(bits: BitReader, sink: (byte: number) => void, buf: Int32Array, bufsize: number, streamCRC: number): number | null;
}

interface Decoder {
  blocks: Bzip2Blocks;
  bitIterator: (next: () => Buffer | undefined) => BitReader;
}

// Loaded on first use (a .bz2 is rare), synchronously: the package is CommonJS with no ESM entry for its parts.
let decoder: Decoder | undefined;
function load(): Decoder {
  const require = createRequire(import.meta.url);
  decoder ??= { blocks: require('unbzip2-stream/lib/bzip2.js'), bitIterator: require('unbzip2-stream/lib/bit_iterator.js') };
  return decoder;
}

const CHUNK_BYTES = 64 * 1024;
/** A block is decoded only once this much more than its size is buffered (or the input ended), as unbzip2-stream does. */
const BLOCK_SLACK = 25_000;

/**
 * A bzip2 decoder as a Node duplex. unbzip2-stream's block decoder does the work; its stream wrapper
 * is not used: it collects each block's output in a JavaScript array (873 MB peak RSS for one 46 MB
 * block, measured), and decodes every block it holds in one go, so a bomb of a thousand tiny blocks
 * would be decoded whole before anything downstream could count it. Here the bytes go straight into
 * 64 KiB Buffers, and one block is decoded per read the consumer makes: the limits downstream see each
 * block before the next is decoded, and a bomb is stopped after its first (at most about 46 MB).
 */
function bunzip2(): Duplex {
  const queue: Buffer[] = [];
  let received = 0;
  let blockSize = 0;
  let streamCRC: number | null = null;
  let bits: BitReader | undefined;
  let work: Int32Array | undefined;
  let wanted = false;
  let ended = false;
  /** The last write's callback, held while its bytes complete a block not yet decoded (backpressure). */
  let more: (() => void) | undefined;
  let finished: ((error?: Error | null) => void) | undefined;
  const output = new Duplex({
    write(data: Buffer, _encoding, callback) {
      queue.push(data);
      received += data.length;
      bits ??= load().bitIterator(() => queue.shift());
      more = callback;
      pump();
    },
    final(callback) {
      ended = true;
      finished = callback;
      pump();
    },
    read() {
      wanted = true;
      pump();
    },
  });
  const decodable = (): boolean =>
    bits !== undefined && (ended ? received > bits.bytesRead : received - bits.bytesRead + 1 >= BLOCK_SLACK + 100_000 * blockSize);
  function pump(): void {
    try {
      while (wanted && decodable()) step(bits!);
    } catch (error) {
      output.destroy(new Error(`bzip2: ${describe(error)}`));
      return;
    }
    if (decodable()) return; // the consumer has not asked for more yet
    if (more) {
      const callback = more;
      more = undefined;
      callback();
    } else if (finished) {
      const callback = finished;
      finished = undefined;
      if (streamCRC !== null) {
        output.destroy(new Error('bzip2: stream truncated'));
        return;
      }
      output.push(null);
      callback();
    }
  }
  /** Reads a stream header, or decodes one block and pushes its bytes. */
  function step(reader: BitReader): void {
    const { blocks } = load();
    if (!blockSize) {
      blockSize = blocks.header(reader);
      streamCRC = 0;
      return;
    }
    if (work?.length !== 100_000 * blockSize) work = new Int32Array(100_000 * blockSize);
    let chunk = Buffer.allocUnsafe(CHUNK_BYTES);
    let used = 0;
    streamCRC = blocks.decompress(
      reader,
      (byte) => {
        chunk[used++] = byte;
        if (used === CHUNK_BYTES) {
          wanted = output.push(chunk) && wanted;
          chunk = Buffer.allocUnsafe(CHUNK_BYTES);
          used = 0;
        }
      },
      work,
      work.length,
      streamCRC ?? 0,
    );
    if (used > 0) wanted = output.push(chunk.subarray(0, used)) && wanted;
    if (streamCRC === null) blockSize = 0; // the end of one stream: another may follow (pbzip2)
  }
  return output;
}

/** The decoder's own messages are jokes past the first few ("meow i'm a kitty"): reports say what happened. */
function describe(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  if (/crc32/i.test(message)) return 'checksum mismatch, corrupt stream';
  if (/magic number|not a bzip/i.test(message)) return 'not a bzip2 stream where one should start';
  // The bit reader ran out of input inside a block.
  if (error instanceof TypeError) return 'stream truncated';
  return 'corrupt stream';
}

/** The name of a single bzip2-compressed file: the outer name minus its suffix (.tbz2 gives .tar), as bunzip2 names it. */
export const bunzippedName = (location: string): string => decompressedName(location, /\.tbz2?$/i, /\.bz2?$/i);

const BZIP2: StreamCodec = {
  id: 'bzip2',
  decoder: bunzip2,
  // bzip2 records no name or date, and its first block must be decoded whole to see any byte.
  headBytes: 0,
  memberName: bunzippedName,
};

/**
 * A bzip2 stream (.bz2, .tar.bz2, .tbz2; concatenated streams as pbzip2 writes them): a tar inside is
 * walked as one archive, anything else is one member. Decoded in pure JavaScript by unbzip2-stream.
 */
export const bzip2Format: StreamContainer<'application/x-bzip2'> = {
  id: 'bzip2',
  media: 'application/x-bzip2',
  // "BZh" + block size, then the block magic (pi) or the end-of-stream magic (sqrt pi).
  magic: (h) => ascii(h, 0, 'BZh') && h[3]! >= 0x31 && h[3]! <= 0x39 && (ascii(h, 4, '1AY&SY') || startsWith(h, [0x17, 0x72, 0x45, 0x38, 0x50, 0x90], 4)),
  randomAccess: false,
  limits: ['maxDepth', 'maxTotalBytes', 'maxEntries', 'maxCompressionRatio', 'ratioCheckMinBytes', 'maxMemberBufferBytes', 'maxBufferedArchiveBytes'],
  reasons: ['corrupt-archive', 'link-member', 'special-file'],
  open: (content, level, walk) => expandCompressed(BZIP2, content, level, walk),
};
