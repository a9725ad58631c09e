import { open } from 'node:fs/promises';
import { openReadOnly } from './open-read-only.js';

/**
 * A small file of the audited tree as text, read as custody reads evidence (read-only, no symlink
 * followed, O_NOATIME where allowed): fs.readFile would leave the file's access time moved.
 */
export async function readEvidenceText(file: string): Promise<string> {
  const handle = await openReadOnly((flags) => open(file, flags));
  try {
    return await handle.readFile('utf8');
  } finally {
    await handle.close();
  }
}
