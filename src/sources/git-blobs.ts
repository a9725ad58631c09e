import { PassThrough } from 'node:stream';
import { exitOf } from './git-history.js';
import { spawnGit } from './git-run.js';
import type { ContentSource } from './item.js';

/** How long git may stay silent while custody waits for an object before the read is given up. */
const STALL_MS = 60_000;

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

  /** The bytes of blob `oid`, which the listing said are `size` bytes long. */
  async read(oid: string, size: number): Promise<Buffer> {
    const child = this.start();
    child.stdin.write(`${oid}\n`);
    const header = (await this.take((bytes) => bytes.indexOf(0x0a) + 1)).toString('utf8').trim();
    const [got, type, declared] = header.split(' ');
    if (got === oid && type === 'missing') throw new Error(`object ${oid} is missing`);
    if (got !== oid || type !== 'blob' || Number(declared) !== size) {
      this.close(); // Out of step with git: whatever follows cannot be trusted.
      throw new Error(`git cannot read object ${oid}: ${header.slice(0, 120) || 'no answer'}`);
    }
    const content = await this.take(() => size + 1);
    return content.subarray(0, size);
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

  /** Waits until `want(bytes)` (a byte count, 0 when not yet known) bytes are buffered, and takes them. */
  private async take(want: (bytes: Buffer) => number): Promise<Buffer> {
    for (;;) {
      const all = this.buffered.length === 1 ? this.buffered[0]! : Buffer.concat(this.buffered);
      this.buffered = all.length > 0 ? [all] : [];
      const n = want(all);
      if (n > 0 && all.length >= n) {
        this.buffered = all.length > n ? [all.subarray(n)] : [];
        this.length = all.length - n;
        return all.subarray(0, n);
      }
      if (this.ended !== undefined) {
        const failure = this.ended;
        this.close();
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
