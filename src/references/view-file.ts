import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { InputError, refuseSystemError } from '../util/errors.js';

/**
 * Where a store's view hashes lie in its file, when the loader left them there: at ten million
 * references the views are 3.8 GB (9 of every 12 are tiles, read only to verify a candidate), more
 * than an audit should hold. Each segment's `viewHash` section holds views `firstView ..
 * firstView + views - 1`, 32 bytes each, from `offset`. Plain data, so matching threads receive it
 * and read the file themselves.
 */
export interface ViewFile {
  path: string;
  /**
   * The file as verified at load: a later read refuses a file replaced or changed since. The change
   * time is part of it because the modification time is not: a writer can set it back (`touch -m`)
   * after rewriting bytes in place, but no one can set the change time.
   */
  identity: { dev: number; ino: number; size: number; mtimeMs: number; ctimeMs: number };
  segments: readonly { firstView: number; views: number; offset: number }[];
}

/** As the loader opens a store: a FIFO or device put in its place must not block the open. */
const FLAGS = constants.O_RDONLY | constants.O_NONBLOCK | (constants.O_NOCTTY ?? 0);

/**
 * Reads view hashes from a store's file, synchronously (a matching thread verifies a candidate in
 * the middle of a synchronous match). The file was verified whole when it was loaded; every read
 * checks that it is still that file (device, inode, size, modification and change times), so a store replaced
 * or rewritten during the audit is refused rather than trusted.
 */
export class ViewFileReader {
  private fd: number | undefined;

  constructor(private readonly file: ViewFile) {}

  /** Copies views `first .. first + count - 1` (within one segment) into `into` (32 bytes each). */
  read(first: number, count: number, into: Uint8Array): void {
    const segment = this.file.segments.find((s) => first >= s.firstView && first + count <= s.firstView + s.views);
    if (!segment) throw new RangeError(`views ${first}..${first + count - 1} are not within one segment of ${this.file.path}`);
    try {
      const fd = this.open();
      this.checkIdentity(fd);
      const length = count * 32;
      let done = 0;
      while (done < length) {
        const n = readSync(fd, into, done, length - done, segment.offset + (first - segment.firstView) * 32 + done);
        if (n === 0) throw new InputError(this.file.path, 'fingerprint store was truncated after it was loaded');
        done += n;
      }
    } catch (error) {
      // A disk that fails under a verified store (EIO) is said as the store's, in one line.
      refuseSystemError(error, this.file.path, 'fingerprint store could not be read after it was loaded');
    }
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  private open(): number {
    if (this.fd !== undefined) return this.fd;
    let fd: number;
    try {
      fd = openSync(this.file.path, FLAGS);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'error';
      throw new InputError(this.file.path, `fingerprint store could not be opened again after it was loaded (${code})`);
    }
    try {
      this.checkIdentity(fd);
    } catch (error) {
      closeSync(fd);
      throw error;
    }
    this.fd = fd;
    return fd;
  }

  /** Before every read (a stat is cheap next to the read): the file must still be the one verified. */
  private checkIdentity(fd: number): void {
    const stats = fstatSync(fd);
    const { dev, ino, size, mtimeMs, ctimeMs } = this.file.identity;
    if (stats.dev !== dev || stats.ino !== ino || stats.size !== size || stats.mtimeMs !== mtimeMs || stats.ctimeMs !== ctimeMs)
      throw new InputError(this.file.path, 'fingerprint store changed after it was loaded and verified');
  }
}
