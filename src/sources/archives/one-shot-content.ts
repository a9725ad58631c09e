import { Readable } from 'node:stream';
import type { MemberContent } from './content.js';
import { TailRing } from './tail-ring.js';

/**
 * A member of a streamed archive (a tar entry): its bytes pass once, while the archive walker is
 * suspended at `yield`. Members up to `bufferCap` are buffered on first read, so every method can be
 * called any number of times; a larger member can be streamed once (its first 64 KiB stay available
 * to `head`), and later full reads fail with an error saying why.
 */
export class OneShotContent implements MemberContent {
  readonly repeatable = false;
  violation: Error | undefined;
  private readonly source: AsyncIterator<Buffer>;
  private readonly chunks: Buffer[] = [];
  private kept = 0;
  private ended = false;
  private streamed = false;
  private closed = false;
  private unbounded = false;
  private queue: Promise<unknown> = Promise.resolve();
  private ring: TailRing | undefined;

  constructor(
    input: AsyncIterable<Buffer>,
    private readonly location: string,
    readonly size: number,
    private readonly bufferCap: number,
  ) {
    this.source = input[Symbol.asyncIterator]();
  }

  private get keepsAll(): boolean {
    return this.unbounded || this.size <= this.bufferCap;
  }

  /** Next chunk from the archive, or null at the end. Pulls are serialised so bytes stay in order. */
  private pull(keep: boolean): Promise<Buffer | null> {
    const next = this.queue.then(async () => {
      if (this.ended) return null;
      let result: IteratorResult<Buffer>;
      try {
        result = await this.source.next();
      } catch (error) {
        this.ended = true;
        this.violation ??= error as Error;
        throw error;
      }
      if (result.done) {
        this.ended = true;
        return null;
      }
      this.ring?.push(result.value);
      if (keep || this.keepsAll) {
        this.chunks.push(result.value);
        this.kept += result.value.length;
      }
      return result.value;
    });
    this.queue = next.catch(() => undefined);
    return next;
  }

  private checkOpen(): void {
    if (this.closed) throw new Error(`content of ${this.location} is no longer available: the archive has moved on`);
    if (this.violation) throw this.violation;
  }

  async head(n: number): Promise<Buffer> {
    this.checkOpen();
    while (this.kept < n && this.kept < this.size) {
      if (this.streamed && !this.keepsAll) {
        throw new Error(`${this.location} was already streamed once; only its first ${this.kept} bytes remain readable`);
      }
      if (this.ended) break;
      await this.pull(true);
    }
    return Buffer.concat(this.chunks, this.kept).subarray(0, n);
  }

  async readAll(): Promise<Buffer> {
    this.checkOpen();
    if (!this.keepsAll) {
      throw new Error(`${this.location} (${this.size} bytes) is larger than maxMemberBufferBytes (${this.bufferCap}): use stream(), once`);
    }
    while (!this.ended) await this.pull(true);
    if (this.chunks.length > 1) this.chunks.splice(0, this.chunks.length, Buffer.concat(this.chunks, this.kept));
    return this.chunks[0] ?? Buffer.alloc(0);
  }

  /**
   * Buffers the whole member whatever maxMemberBufferBytes says: for a nested archive, whose size the
   * caller has checked against maxBufferedArchiveBytes. Only valid before anything was streamed.
   */
  async bufferAll(): Promise<Buffer> {
    if (this.streamed) throw new Error(`${this.location} was already streamed`);
    this.unbounded = true;
    return this.readAll();
  }

  stream(): Readable {
    if (this.keepsAll) {
      return Readable.from(
        (async function* (self: OneShotContent) {
          yield await self.readAll();
        })(this),
        { objectMode: false },
      );
    }
    const error = this.streamed
      ? new Error(`${this.location} (${this.size} bytes, over maxMemberBufferBytes ${this.bufferCap}) can be streamed only once`)
      : undefined;
    this.streamed = true;
    return Readable.from(
      (async function* (self: OneShotContent) {
        self.checkOpen();
        if (error) throw error;
        // Chunks kept so far (a head) go out first; later ones are passed through, not kept.
        yield* self.chunks.slice();
        for (let chunk = await self.pull(false); chunk; chunk = await self.pull(false)) yield chunk;
      })(this),
      { objectMode: false },
    );
  }

  /**
   * Keeps the last 64 KiB of the bytes as they pass (whoever reads them), for a look for an appended
   * zip in a member too large to hold. Call before it is streamed: what `head` read so far is kept.
   */
  keepTail(): void {
    if (this.ring || this.streamed) return;
    this.ring = new TailRing();
    for (const chunk of this.chunks) this.ring.push(chunk);
  }

  /** The last 64 KiB, once every byte has passed; `undefined` before that or without {@link keepTail}. */
  get tail(): Buffer | undefined {
    return this.ring && this.ended && this.ring.total === this.size ? this.ring.tail() : undefined;
  }

  /** Drains what the consumer left unread, so the archive stream can move to the next member. */
  async finish(drain = true): Promise<void> {
    try {
      while (drain && !this.ended) await this.pull(false);
    } catch {
      // The failure is kept in `violation`; the walker reports it.
    }
    this.closed = true;
    this.chunks.length = 0;
    this.kept = 0;
  }
}
