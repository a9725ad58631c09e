import { constants } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { PassThrough, pipeline, type Readable } from 'node:stream';
import type { ContentSource } from './item.js';

/** The file changed size between the walk and the read: its content cannot be trusted. */
export class ContentChangedError extends Error {
  constructor(
    readonly expected: number,
    readonly actual: number,
  ) {
    super(`size changed during the scan (${expected} -> ${actual} bytes)`);
    this.name = 'ContentChangedError';
  }
}

// O_NOATIME keeps reads from touching access times, so an audit leaves no trace in the evidence.
// The kernel only allows it to the file's owner (or root); others fall back to a plain read.
const NOATIME = constants.O_NOATIME ?? 0;
let noatimeAllowed = NOATIME !== 0;

async function openReadOnly(file: string): Promise<FileHandle> {
  if (noatimeAllowed) {
    try {
      return await open(file, constants.O_RDONLY | NOATIME);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EPERM') throw error;
    }
  }
  return open(file, constants.O_RDONLY);
}

/** Switches O_NOATIME off (tests use it to show the fallback path). */
export function disableNoatime(): void {
  noatimeAllowed = false;
}

/** Read-only access to a file's bytes, checked against the size seen by the walk. */
export function fileContent(file: string, size: number): ContentSource {
  return {
    async head(n) {
      const handle = await openReadOnly(file);
      try {
        const buffer = Buffer.alloc(Math.min(n, size));
        const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
        return buffer.subarray(0, bytesRead);
      } finally {
        await handle.close();
      }
    },
    async readAll() {
      const handle = await openReadOnly(file);
      try {
        const buffer = await handle.readFile();
        if (buffer.length !== size) throw new ContentChangedError(size, buffer.length);
        return buffer;
      } finally {
        await handle.close();
      }
    },
    stream() {
      const out = new PassThrough();
      openReadOnly(file).then(
        (handle) => {
          let seen = 0;
          const input: Readable = handle.createReadStream({ highWaterMark: 1 << 20 });
          input.on('data', (chunk: Buffer) => (seen += chunk.length));
          input.on('end', () => {
            if (seen !== size) out.destroy(new ContentChangedError(size, seen));
          });
          // pipeline, not pipe: a consumer that stops early (an archive bomb cut short) must close the file too.
          pipeline(input, out, () => undefined);
        },
        (error: Error) => out.destroy(error),
      );
      return out;
    },
  };
}
