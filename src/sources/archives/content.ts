import { PassThrough, pipeline, Readable } from 'node:stream';
import type { ContentSource } from '../item.js';

/**
 * A member's bytes as handed to the consumer, plus what the archive walker needs once the consumer
 * is done with the item.
 */
export interface MemberContent extends ContentSource {
  /** True when the bytes can be read again after the consumer is done (zip entries, buffers). */
  readonly repeatable: boolean;
  /** The first limit or corruption error met while reading, if any (reported once, as coverage). */
  readonly violation: Error | undefined;
  /**
   * Called when the consumer is done with the item: drains what a streamed member has left (unless
   * `drain` is false: the walk is being abandoned) and drops cached bytes.
   */
  finish(drain?: boolean): Promise<void>;
}

/** What `head` keeps of a large member's first read. */
const HEAD_KEEP_BYTES = 64 * 1024;

/** Members up to this size are read whole on their first read, whatever was asked for. */
const EAGER_READ_BYTES = 1024 * 1024;

/** Content already in memory: any number of reads. */
export class BufferContent implements MemberContent {
  readonly repeatable = true;
  readonly violation = undefined;
  constructor(readonly buffer: Buffer) {}
  head(n: number): Promise<Buffer> {
    return Promise.resolve(this.buffer.subarray(0, n));
  }
  readAll(): Promise<Buffer> {
    return Promise.resolve(this.buffer);
  }
  stream(): Readable {
    return Readable.from([this.buffer], { objectMode: false });
  }
  finish(): Promise<void> {
    return Promise.resolve();
  }
}

/** Reads until at least `n` bytes arrived (or the end), then stops the stream. */
export async function readAtLeast(stream: Readable, n: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    chunks.push(chunk);
    length += chunk.length;
    if (length >= n) break;
  }
  return Buffer.concat(chunks, length);
}

/** Members up to this size are read into one buffer allocated up front (no chunk list, no concat copy). */
const PREALLOCATE_BYTES = 256 * 1024 * 1024;

/**
 * Reads a whole stream of `size` expected bytes. Into one buffer allocated up front when the size is
 * reasonable, so a nested zip held in memory costs its size once, not twice while chunks are joined;
 * a stream longer than it said falls back to joining.
 */
async function readSized(stream: Readable, size: number): Promise<Buffer> {
  if (size > PREALLOCATE_BYTES) return readAtLeast(stream, Number.POSITIVE_INFINITY);
  const out = Buffer.allocUnsafe(size);
  let length = 0;
  const extra: Buffer[] = [];
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    const fits = Math.max(0, Math.min(chunk.length, size - length));
    chunk.copy(out, length, 0, fits);
    if (fits < chunk.length) extra.push(chunk.subarray(fits));
    length += chunk.length;
  }
  if (extra.length === 0) return out.subarray(0, length);
  return Buffer.concat([out, ...extra], length);
}

/**
 * A member that can be opened again at will (a zip entry: yauzl re-reads it from the central
 * directory offset). The first chunk read is kept for `head`, and the whole member when it is small
 * enough, so detectors asking for the same bytes do not inflate them twice.
 */
export class ReopenableContent implements MemberContent {
  readonly repeatable = true;
  violation: Error | undefined;
  private prefix: Buffer | undefined;
  private full: Buffer | undefined;

  constructor(
    private readonly open: () => Promise<Readable>,
    readonly size: number,
    private readonly bufferCap: number,
  ) {}

  /** Records a limit or corruption error met by any read; the walker reports it once. */
  readonly noteViolation = (error: Error): void => {
    this.violation ??= error;
  };

  async head(n: number): Promise<Buffer> {
    const known = this.full ?? this.prefix;
    if (known && (known.length >= n || known.length === this.size)) return known.subarray(0, n);
    // Small members are read whole at once: the consumer nearly always hashes them next, and one
    // open (local header read, inflate) per member costs less than two.
    if (this.size <= EAGER_READ_BYTES) return (await this.readAll()).subarray(0, n);
    let bytes = await readAtLeast(await this.open(), n);
    if (bytes.length === this.size && this.size <= this.bufferCap) this.full = bytes;
    // One chunk can be the whole member (a stored entry of an in-memory zip): keep only a head of it.
    else if (bytes.length > Math.max(n, HEAD_KEEP_BYTES)) bytes = Buffer.from(bytes.subarray(0, Math.max(n, HEAD_KEEP_BYTES)));
    if (!this.prefix || bytes.length > this.prefix.length) this.prefix = bytes;
    return bytes.subarray(0, n);
  }

  async readAll(): Promise<Buffer> {
    if (this.full) return this.full;
    const bytes = await readSized(await this.open(), this.size);
    if (bytes.length <= this.bufferCap) this.full = bytes;
    return bytes;
  }

  stream(): Readable {
    if (this.full) return Readable.from([this.full], { objectMode: false });
    const out = new PassThrough();
    this.open().then(
      (input) => pipeline(input, out, () => undefined),
      (error: Error) => out.destroy(error),
    );
    return out;
  }

  finish(): Promise<void> {
    this.prefix = undefined;
    this.full = undefined;
    return Promise.resolve();
  }
}
