import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { sniff } from '../../src/sources/sniff.js';
import { unsupportedCoverage } from '../../src/sources/unsupported.js';
import { REPO_ROOT } from '../support/tmp.js';
import { expand, locations, memoryItem, reasons } from './archives/support/harness.js';
import { buildZip } from './archives/support/zip-writer.js';

/** Real RAR archives from libarchive's test suite (fixtures/archives/README.md): RAR has no free writer. */
const sample = (name: string): Promise<Buffer> => readFile(path.join(REPO_ROOT, 'fixtures', 'archives', name));

describe('rar archives', () => {
  it('opens a RAR 4 archive: files, a directory, and a symlink recorded as a link member', async () => {
    const bytes = await sample('rar4.rar');
    expect(sniff(bytes.subarray(0, 512))).toBe('application/vnd.rar');
    expect(unsupportedCoverage('rar4.rar', 'application/vnd.rar')).toBeUndefined();
    const result = await expand(memoryItem('rar4.rar', bytes));
    expect(locations(result)).toEqual(['rar4.rar!/test.txt', 'rar4.rar!/testdir/test.txt']);
    expect(result.bytes.get('rar4.rar!/testdir/test.txt')).toEqual(Buffer.from('test text document\r\n'));
    expect(reasons(result)).toEqual(['link-member rar4.rar!/testlink']);
  });

  it('opens a RAR 5 archive', async () => {
    const result = await expand(memoryItem('m.rar', await sample('rar5-multiple.rar')));
    expect(locations(result)).toEqual(['m.rar!/test1.bin', 'm.rar!/test2.bin', 'm.rar!/test3.bin', 'm.rar!/test4.bin']);
    expect(result.items.every((item) => item.size === 4096)).toBe(true);
    expect(result.coverage).toEqual([]);
  });

  it('reads a RAR whose last member is a stored zip as the rar it is, the zip opened as a nested member', async () => {
    const result = await expand(memoryItem('z.rar', await sample('rar5-zip-in-rar.rar')));
    expect(locations(result)).toEqual(['z.rar!/payload/inner.zip', 'z.rar!/payload/inner.zip!/THIS_IS_INSIDE_THE_ZIP.txt', 'z.rar!/payload/real_after.txt']);
  });

  it('records encrypted members as encrypted, not inspected, and the audit incomplete', async () => {
    const result = await expand(memoryItem('e.rar', await sample('rar4-encrypted.rar')));
    expect(result.items).toEqual([]);
    expect(reasons(result)).toEqual(['encrypted e.rar!/foo.txt', 'encrypted e.rar!/bar.txt']);
    expect(result.coverage.every((entry) => entry.incomplete)).toBe(true);
  });

  it('records a truncated rar as corrupt-archive, and opens a rar nested in a zip', async () => {
    const bytes = await sample('rar5-multiple.rar');
    const cut = await expand(memoryItem('cut.rar', bytes.subarray(0, bytes.length - 700)));
    expect(reasons(cut).at(-1)).toMatch(/^corrupt-archive cut\.rar/);
    expect(cut.coverage.at(-1)!.detail).toMatch(/^rar: /);
    const nested = await expand(memoryItem('outer.zip', buildZip([{ name: 'old.rar', data: bytes }])));
    expect(locations(nested)).toContain('outer.zip!/old.rar!/test4.bin');
  });
});
