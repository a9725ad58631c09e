import { randomBytes } from 'node:crypto';
import { PassThrough } from 'node:stream';
import { exitOf } from './git-history.js';
import { spawnGit } from './git-run.js';
import type { ContentSource } from './item.js';

/** How long git may stay silent while custody waits for an object before the read is given up. */
const STALL_MS = 30_000;

/**
 * Reads blobs one after another through one `git cat-file --batch` process (one process per blob
 * would cost milliseconds each). A blob git cannot read (a corrupt object kills the process) fails
 * that read alone: the next read starts a new process.
 */
export class BlobReader {
  private child: ReturnType<typeof spawnGit> | undefined;
  private buffered: Buffer[] = [];
  private length = 0;
  private wake: (() => void) | undefined;
  private ended: string | undefined;

  constructor(private readonly gitDir: string) {}

  /**
   * The bytes of blob `oid`, which the listing said are `size` bytes long. Each request is followed
   * by a random object id that is surely missing: git's `<id> missing` line for it marks exactly where
   * its answer for `oid` ended. A loose object whose header lies about its size makes git send fewer
   * bytes than it announced (and stay alive); the marker shows it, and the stream stays in step.
   */
  async read(oid: string, size: number): Promise<Buffer> {
    const child = this.start();
    const probe = randomBytes(oid.length / 2).toString('hex');
    const marker = Buffer.from(`${probe} missing\n`);
    child.stdin.write(`${oid}\n${probe}\n`);
    // No honest answer is longer than its header and `size` bytes: past that, stop waiting.
    const limit = size + oid.length + 64;
    const answer = await this.take(marker, limit + marker.length);
    const body = answer.subarray(0, answer.length - marker.length);
    const headerEnd = body.indexOf(0x0a);
    const header = body.toString('utf8', 0, Math.max(0, headerEnd)).slice(0, 200);
    const [got, type, declared] = header.split(' ');
    if (got === oid && type === 'missing') throw new Error(`object ${oid} is missing`);
    const content = body.subarray(headerEnd + 1, body.length - 1);
    if (got !== oid || type !== 'blob' || Number(declared) !== size || content.length !== size || body[body.length - 1] !== 0x0a) {
      throw new Error(`git cannot read object ${oid}: it announced ${declared ?? '?'} bytes of ${type ?? 'nothing'} and sent ${Math.max(0, content.length)}`);
    }
    return content;
  }

  close(): void {
    this.child?.stdin.end();
    this.child?.kill();
    this.child = undefined;
  }

  private start(): ReturnType<typeof spawnGit> {
    if (this.child) return this.child;
    const child = spawnGit(this.gitDir, ['cat-file', '--batch']);
    this.child = child;
    this.buffered = [];
    this.length = 0;
    this.ended = undefined;
    child.stdout.on('data', (chunk: Buffer) => {
      this.buffered.push(chunk);
      this.length += chunk.length;
      this.wake?.();
    });
    void exitOf(child).then((failure) => {
      if (this.child !== child) return;
      this.ended = failure ?? 'git stopped';
      this.child = undefined;
      this.wake?.();
    });
    return child;
  }

  /**
   * Waits until what git sent ends with `marker` (git writes nothing after it: custody asks for
   * nothing more until then), and takes it all. Only the tail is compared as chunks arrive, and the
   * chunks are joined once. More than `limit` bytes without the marker, or silence, gives up.
   */
  private async take(marker: Buffer, limit: number): Promise<Buffer> {
    for (;;) {
      if (this.length >= marker.length && this.tail(marker.length).equals(marker)) {
        const all = Buffer.concat(this.buffered, this.length);
        this.buffered = [];
        this.length = 0;
        return all;
      }
      if (this.length > limit || this.ended !== undefined) {
        const failure = this.length > limit ? 'git sent more than the object it announced' : this.ended!;
        this.close(); // Out of step with git, or git gone: whatever follows cannot be trusted.
        throw new Error(failure);
      }
      const progressed = await new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => resolve(false), STALL_MS);
        this.wake = () => {
          clearTimeout(timer);
          resolve(true);
        };
      });
      this.wake = undefined;
      if (!progressed) {
        this.close();
        throw new Error(`git gave no answer for ${STALL_MS / 1000} s`);
      }
    }
  }

  /** The last `n` bytes received (n no more than what was received). */
  private tail(n: number): Buffer {
    const parts: Buffer[] = [];
    let need = n;
    for (let i = this.buffered.length - 1; i >= 0 && need > 0; i--) {
      const chunk = this.buffered[i]!;
      parts.unshift(chunk.subarray(Math.max(0, chunk.length - need)));
      need -= chunk.length;
    }
    return Buffer.concat(parts);
  }
}

/** Content held in memory (a blob read through the batch). */
export function bufferedContent(bytes: Buffer): ContentSource {
  return {
    head: async (n) => bytes.subarray(0, n),
    readAll: async () => bytes,
    stream: () => {
      const out = new PassThrough();
      out.end(bytes);
      return out;
    },
  };
}
