import { createWriteStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { openReadOnly } from './open-read-only.js';

// Files of the audited tree read as custody reads evidence (read-only, no symlink followed,
// O_NOATIME where allowed): fs.readFile, fs.copyFile or another program opening the path would
// leave the file's access time moved.

/** A small file of the audited tree, as text. */
export async function readEvidenceText(file: string): Promise<string> {
  const handle = await openReadOnly((flags) => open(file, flags));
  try {
    return await handle.readFile('utf8');
  } finally {
    await handle.close();
  }
}

/** Copies a file of the audited tree to `target` (a private file, mode 0600), for a program to read. */
export async function copyEvidenceFile(file: string, target: string): Promise<void> {
  const handle = await openReadOnly((flags) => open(file, flags));
  try {
    await pipeline(handle.createReadStream({ autoClose: false }), createWriteStream(target, { mode: 0o600 }));
  } finally {
    await handle.close();
  }
}
