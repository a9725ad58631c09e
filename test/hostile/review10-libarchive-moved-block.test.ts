import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openLibarchive } from '../../src/sources/archives/libarchive.js';
import { expand, memoryItem } from '../sources/archives/support/harness.js';
import { REPO_ROOT } from '../support/tmp.js';

/** libarchive's test_read_format_rar_filter.rar (fixtures/archives/README.md): one 204,288-byte member. */
const FILTER_RAR = path.join(REPO_ROOT, 'fixtures', 'archives', 'rar4-filter.rar');

/** Reads the archive's only member whole, then again in pieces of `piece` bytes. */
async function readBoth(piece: number): Promise<{ whole: Buffer; pieces: Buffer }> {
  const bytes = await readFile(FILTER_RAR);
  const first = await openLibarchive(bytes);
  const entry = first.next()!;
  const whole = first.read(entry.size);
  first.close();
  const second = await openLibarchive(bytes);
  const size = second.next()!.size;
  const parts: Buffer[] = [];
  try {
    for (let at = 0; at < size; at += piece) parts.push(second.read(Math.min(piece, size - at)));
  } finally {
    second.close();
  }
  return { whole, pieces: Buffer.concat(parts) };
}

describe('a rar4 member whose buffer malloc hands out from another free block', () => {
  it('is read whole and valid, not reported as truncated (before: ShortReadError "could not be checked" at a 300-byte piece)', async () => {
    // Read in 300-byte pieces, the decoder's frees leave two free blocks of one size: get_filedata's
    // malloc then hands out the other one, not the block just filled with the pattern.
    const { whole, pieces } = await readBoth(300);
    expect(whole.length).toBe(204_288);
    expect(whole.subarray(0, 2).toString('latin1')).toBe('MZ');
    expect(pieces.equals(whole)).toBe(true);
  });

  it('the walk reads the same member whole, with no coverage entry', async () => {
    const result = await expand(memoryItem('f.rar', await readFile(FILTER_RAR)));
    expect(result.coverage).toEqual([]);
    expect(result.bytes.get('f.rar!/bsdcat.exe')?.length).toBe(204_288);
  });
});
