import type { Hash } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import { type Refuse, readFully } from './store-segments.js';

/** A read whose bytes are hashed once it completes, then handed to `after` (a check on them). */
interface Pending {
  read: Promise<void>;
  piece: Uint8Array;
  after: ((piece: Uint8Array) => void) | undefined;
}

/**
 * Reads pieces of a store in file order and feeds each to its digest hash, with the next piece's
 * read under way while the last one is hashed: the read runs on libuv's thread (a kernel copy, and
 * at first touch the page faults of the buffer it fills) while SHA-256 runs on this one, so a load
 * takes about the longer of the two rather than their sum. The hash still sees every byte once, in
 * file order, before the caller trusts any of it (the digest is compared after the last piece).
 *
 * A piece's buffer must not be reused until the piece after it was pushed: {@link scratch} hands
 * out two buffers in turn for bytes that are only hashed.
 */
export class HashedReads {
  private pending: Pending | undefined;
  private readonly scratches: Uint8Array[] = [];
  private turn = 0;

  constructor(
    private readonly handle: FileHandle,
    private readonly content: Hash,
    private readonly refuse: Refuse,
  ) {}

  /** Starts reading `piece` from `position`; hashes the piece pushed before it (waiting for its read). */
  async push(piece: Uint8Array, position: number, after?: (piece: Uint8Array) => void): Promise<void> {
    const read = readFully(this.handle, piece, position, this.refuse);
    // Rejections are awaited in turn below; until then, none may count as unhandled (which ends the process).
    read.catch(() => undefined);
    const previous = this.pending;
    this.pending = { read, piece, after };
    if (previous) await this.settle(previous);
  }

  /** Waits for the last read and hashes it: the content hash then holds every byte pushed. */
  async flush(): Promise<void> {
    const last = this.pending;
    this.pending = undefined;
    if (last) await this.settle(last);
  }

  /** One of two buffers of `bytes`, alternately: room for a hashed-only piece while the other is in flight. */
  scratch(bytes: number): Uint8Array {
    this.turn ^= 1;
    let buffer = this.scratches[this.turn];
    if (!buffer || buffer.length < bytes) {
      buffer = new Uint8Array(bytes);
      this.scratches[this.turn] = buffer;
    }
    return buffer.subarray(0, bytes);
  }

  private async settle({ read, piece, after }: Pending): Promise<void> {
    await read;
    after?.(piece);
    this.content.update(piece);
  }
}
