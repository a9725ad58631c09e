import type { Hash } from 'node:crypto';

/** Chunk size: big enough that a write per chunk costs nothing, small enough to never matter in memory. */
const CHUNK = 1024 * 1024;

/**
 * Little-endian values appended into fixed-size chunks, each hashed as it is completed; the store
 * writer hands completed chunks to the file as it goes, so memory stays at a chunk or two.
 */
export class ChunkSink {
  /** Bytes written so far: the file offset of the next byte. */
  position: number;
  private chunk = Buffer.allocUnsafe(CHUNK);
  private used = 0;
  private readonly full: Buffer[] = [];

  /** `start`: the file offset of the first byte (an appended segment starts after the store). */
  constructor(
    private readonly hash: Hash,
    start = 0,
  ) {
    this.position = start;
  }

  get hasFull(): boolean {
    return this.full.length > 0;
  }

  u8(value: number): void {
    this.room(1);
    this.used = this.chunk.writeUInt8(value, this.used);
    this.position += 1;
  }

  u16(value: number): void {
    this.room(2);
    this.used = this.chunk.writeUInt16LE(value, this.used);
    this.position += 2;
  }

  u32(value: number): void {
    this.room(4);
    this.used = this.chunk.writeUInt32LE(value, this.used);
    this.position += 4;
  }

  f64(value: number): void {
    this.room(8);
    this.used = this.chunk.writeDoubleLE(value, this.used);
    this.position += 8;
  }

  /** `length` bytes spelled as hex digits; anything else is a bug upstream (the schemas check hex). */
  hex(digits: string, length: number): void {
    this.room(length);
    const written = this.chunk.write(digits, this.used, length, 'hex');
    if (written !== length || digits.length !== length * 2) throw new Error(`expected ${length * 2} hex digits, got ${JSON.stringify(digits.slice(0, 80))}`);
    this.used += length;
    this.position += length;
  }

  utf8(text: string): void {
    this.bytes(Buffer.from(text, 'utf8'));
  }

  zeros(count: number): void {
    this.bytes(Buffer.alloc(count));
  }

  bytes(data: Uint8Array): void {
    for (let at = 0; at < data.length; ) {
      if (this.used === CHUNK) this.complete();
      const n = Math.min(CHUNK - this.used, data.length - at);
      this.chunk.set(data.subarray(at, at + n), this.used);
      this.used += n;
      this.position += n;
      at += n;
    }
  }

  /** Completed chunks, each handed out once. */
  *drain(): Generator<Buffer> {
    while (this.full.length > 0) yield this.full.shift()!;
  }

  /** Completes the current chunk and hands out what is left. */
  *end(): Generator<Buffer> {
    this.complete();
    yield* this.drain();
  }

  private room(bytes: number): void {
    if (this.used + bytes > CHUNK) this.complete();
  }

  private complete(): void {
    if (this.used === 0) return;
    const done = this.chunk.subarray(0, this.used);
    this.hash.update(done);
    this.full.push(done);
    this.chunk = Buffer.allocUnsafe(CHUNK);
    this.used = 0;
  }
}
