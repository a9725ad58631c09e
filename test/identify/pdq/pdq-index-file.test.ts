import { appendFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPdqIndex } from '../../../src/identify/pdq/pdq-index.js';
import { readStore } from '../../../src/references/store-read.js';
import { storeChunks } from '../../../src/references/store-write.js';
import { syntheticReference } from '../../references/support/synthetic.js';
import { tempDir } from '../../support/tmp.js';

describe('a perceptual index built from view hashes left in the store file', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let file: string;

  beforeAll(async () => {
    ({ dir, cleanup } = await tempDir('custody-pdq-file-'));
    file = path.join(dir, 'refs.cfs');
    // Written out of id order (as a store with appended segments holds them), so the index reorders its entries.
    const references = Array.from({ length: 600 }, (_, i) => syntheticReference(i)).reverse();
    const chunks = storeChunks(() => references, undefined, { tool: { name: 'custody', version: 'test' }, createdAt: '2026-12-01T00:00:00.000Z', roots: [] });
    await writeFile(file, Buffer.concat([...chunks]));
  });
  afterAll(() => cleanup());

  it('holds exactly the index built from the views in memory, and reads no view into the columns', async () => {
    const inMemory = await readStore(file);
    const inFile = await readStore(file, { viewsInMemoryUpTo: 0 });
    expect(inFile.viewFile).toBeDefined();
    expect(inFile.columns.viewHash.length).toBe(0);
    expect(inFile.footer.digest).toBe(inMemory.footer.digest);
    const a = buildPdqIndex(inMemory.columns, inMemory.footer);
    const b = buildPdqIndex(inFile.columns, inFile.footer, inFile.viewFile);
    expect(b.entryView.length).toBeGreaterThan(100);
    expect([...b.entryView]).toEqual([...a.entryView]);
    expect([...b.hamming.pool]).toEqual([...a.hamming.pool]);
    // Entries follow the ids, not the file's order.
    expect(b.entryView[0]).toBeGreaterThan(b.entryView[b.entryView.length - 1]!);
  });

  it('refuses to read views once the file changed after it was verified', async () => {
    const inFile = await readStore(file, { viewsInMemoryUpTo: 0 });
    await appendFile(file, 'x');
    expect(() => buildPdqIndex(inFile.columns, inFile.footer, inFile.viewFile)).toThrow(/changed after it was loaded and verified/);
  });
});
