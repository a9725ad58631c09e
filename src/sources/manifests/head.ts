import { open } from 'node:fs/promises';

/** Bytes read for format detection. */
export const HEAD_BYTES = 64 * 1024;

/** Up to `n` bytes from the start of a file. */
export async function readHead(path: string, n = HEAD_BYTES): Promise<Buffer> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(n);
    const { bytesRead } = await fh.read(buf, 0, n, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

/** True when the file starts with the gzip magic bytes. */
export async function isGzip(path: string): Promise<boolean> {
  const head = await readHead(path, 2);
  return head[0] === 0x1f && head[1] === 0x8b;
}
