import { link, readFile, stat, symlink, truncate, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mergeFingerprints } from '../../src/fingerprint/merge.js';
import { loadFingerprintFile } from '../../src/references/load.js';
import type { PlateSet, Reference } from '../../src/references/schema.js';
import { appendSegment, openForAppend } from '../../src/references/store-append.js';
import { readStore } from '../../src/references/store-read.js';
import { writeStore } from '../../src/references/store-write.js';
import { InputError, UsageError } from '../../src/util/errors.js';
import { writeGuard } from '../../src/util/safe-write.js';
import { VERSION } from '../../src/version.js';
import { tempDir } from '../support/tmp.js';
import type { Footer } from './support/reseal.js';
import { resealLastSegment } from './support/reseal-segment.js';
import { syntheticReference } from './support/synthetic.js';

const byId = (a: Reference, b: Reference) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
const references = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => syntheticReference(from + i)).sort(byId);
const plates = (digits: string[], sources = [{ id: 'reads/a.csv', column: 'plate', rows: 2 }]): PlateSet => ({
  algorithm: 'hmac-sha256',
  normalisation: 'v1',
  keyId: 'hmac-sha256:0123456789abcdef',
  digests: digits.map((d) => d.repeat(64)).sort(),
  shapes: ['LLLDDDD'],
  sources,
});
const meta = (createdAt: string) => ({ tool: { name: 'custody' as const, version: VERSION }, createdAt, roots: ['agency'] });

describe('fingerprint store: append one segment without rewriting the store', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  const out = async (name: string) => ({ guard: await writeGuard(dir, []), cwd: dir, path: name });
  const file = (name: string) => path.join(dir, name);

  /** Writes `name` as refs 0..200 with plates 1, 2, then appends refs 200..300 with plates 2, 3. */
  async function appended(name: string): Promise<{ before: Buffer; after: Buffer }> {
    await writeStore(() => references(0, 200), plates(['1', '2']), meta('2026-12-01T00:00:00.000Z'), await out(name));
    const before = await readFile(file(name));
    const target = await openForAppend(await out(name));
    try {
      // The segment's footer describes the whole store's plates; its digests are only the new ones.
      const more = plates(['2', '3'], [...plates([]).sources, { id: 'reads/b.csv', column: 'plate', rows: 2 }]);
      await appendSegment(target, () => references(200, 300), { ...more, digests: [`${'3'.repeat(64)}`] }, meta('2026-12-02T00:00:00.000Z'));
    } finally {
      await target.handle.close();
    }
    return { before, after: await readFile(file(name)) };
  }

  beforeAll(async () => {
    ({ dir, cleanup } = await tempDir('custody-store-append-'));
  });
  afterAll(() => cleanup());

  it('leaves plate digests in the file only when one segment holds them all (several are merged in memory)', async () => {
    await appended('spread.cfs');
    const spread = await readStore(file('spread.cfs'), { platesInMemoryUpTo: 0 });
    expect(spread.plateFile).toBeUndefined();
    expect(spread.columns.plateDigests.length).toBe(3 * 32);
    await writeStore(() => references(0, 20), plates(['1', '2']), meta('2026-12-01T00:00:00.000Z'), await out('one.cfs'));
    const target = await openForAppend(await out('one.cfs'));
    try {
      await appendSegment(target, () => references(20, 30), { ...plates(['1', '2']), digests: [] }, meta('2026-12-02T00:00:00.000Z'));
    } finally {
      await target.handle.close();
    }
    const one = await readStore(file('one.cfs'), { platesInMemoryUpTo: 0 });
    expect(one.plateFile?.count).toBe(2);
    expect(one.plateFile?.digests.segments).toEqual([{ firstView: 0, views: 2, offset: expect.any(Number) }]);
    expect(one.columns.plateDigests.length).toBe(0);
    expect(one.footer.counts.plates).toBe(2);
  });

  it('keeps the old store as a byte prefix (old trailer included) and loads as one combined store', async () => {
    const { before, after } = await appended('two.cfs');
    expect(after.length).toBeGreaterThan(before.length);
    expect(after.subarray(0, before.length).equals(before)).toBe(true);
    const store = await readStore(file('two.cfs'));
    expect(store.footer.counts).toMatchObject({ references: 300, plates: 3 });
    expect(store.footer.previous).not.toBeNull();
    expect(store.columns.sizes.length).toBe(300);
    expect(store.columns.viewHash.buffer).toBeInstanceOf(SharedArrayBuffer);
    const loaded = await loadFingerprintFile(file('two.cfs'));
    expect(loaded.file.references).toEqual([...references(0, 200), ...references(200, 300)]);
    expect(loaded.file.plates?.digests).toEqual(['1', '2', '3'].map((d) => d.repeat(64)));
    expect(loaded.file.plates?.sources.map((s) => s.id)).toEqual(['reads/a.csv', 'reads/b.csv']);
    expect(loaded.file.digest).toBe(store.footer.digest);
  });

  it('compacts by a merge of the one store into the bytes of the whole set written at once', async () => {
    await appended('grown.cfs');
    await mergeFingerprints([file('grown.cfs')], await out('compact.cfs'));
    const whole = plates(['1', '2', '3'], [...plates([]).sources, { id: 'reads/b.csv', column: 'plate', rows: 2 }]);
    await writeStore(() => references(0, 300), whole, meta('2026-12-02T00:00:00.000Z'), await out('whole.cfs'));
    expect((await readFile(file('compact.cfs'))).equals(await readFile(file('whole.cfs')))).toBe(true);
    expect((await readStore(file('compact.cfs'))).footer.previous).toBeNull();
  });

  it('refuses every truncation of the appended segment, and the old length loads as the old store', async () => {
    const { before, after } = await appended('cut.cfs');
    const accepted: number[] = [];
    for (let length = before.length + 1; length < after.length; length += length > after.length - 120 ? 1 : 97) {
      await writeFile(file('probe.cfs'), after.subarray(0, length));
      const error = await readStore(file('probe.cfs')).then(
        () => undefined,
        (e: unknown) => e,
      );
      if (!(error instanceof InputError)) accepted.push(length);
      else expect(error.message.split('\n')).toHaveLength(1);
    }
    expect(accepted).toEqual([]);
    await writeFile(file('probe.cfs'), after.subarray(0, before.length));
    expect((await readStore(file('probe.cfs'))).footer.counts.references).toBe(200);
  });

  it('refuses a flipped bit anywhere in a two-segment store, the old segment and its trailer included', async () => {
    await writeStore(() => references(1, 3), plates(['1']), meta('2026-12-01T00:00:00.000Z'), await out('small.cfs'));
    const target = await openForAppend(await out('small.cfs'));
    await appendSegment(target, () => references(4, 6), plates(['2']), meta('2026-12-02T00:00:00.000Z')).finally(() => target.handle.close());
    const bytes = await readFile(file('small.cfs'));
    const accepted: number[] = [];
    for (let at = 0; at < bytes.length; at++) {
      const flipped = Buffer.from(bytes);
      flipped[at] = flipped[at]! ^ 0x01;
      await writeFile(file('probe.cfs'), flipped);
      if (
        !(await readStore(file('probe.cfs')).then(
          () => false,
          (e: unknown) => e instanceof InputError,
        ))
      )
        accepted.push(at);
    }
    expect(accepted).toEqual([]);
  });

  it('truncates back to the old store when the segment cannot be written (an id that is not Unicode)', async () => {
    await writeStore(() => references(0, 50), undefined, meta('2026-12-01T00:00:00.000Z'), await out('failed.cfs'));
    const before = await readFile(file('failed.cfs'));
    const target = await openForAppend(await out('failed.cfs'));
    const bad = [...references(50, 60), { ...syntheticReference(61), id: 'zz/\uD800.jpg' }];
    await expect(appendSegment(target, () => bad, undefined, meta('2026-12-02T00:00:00.000Z')).finally(() => target.handle.close())).rejects.toThrow(
      UsageError,
    );
    expect((await readFile(file('failed.cfs'))).equals(before)).toBe(true);
  });

  it('refuses to open a tampered store, a symbolic link or a store with another hard link', async () => {
    await writeStore(() => references(0, 20), undefined, meta('2026-12-01T00:00:00.000Z'), await out('base.cfs'));
    const bytes = await readFile(file('base.cfs'));
    bytes[100] = bytes[100]! ^ 0x01;
    await writeFile(file('tampered.cfs'), bytes);
    await expect(openForAppend(await out('tampered.cfs'))).rejects.toThrow(/tampered\.cfs: fingerprint store digest does not match/);
    await symlink('base.cfs', file('link.cfs'));
    await expect(openForAppend(await out('link.cfs'))).rejects.toThrow(/symbolic link/);
    await link(file('base.cfs'), file('hard.cfs'));
    await expect(openForAppend(await out('hard.cfs'))).rejects.toThrow(/other hard links/);
    expect((await stat(file('base.cfs'))).size).toBe(bytes.length);
    await truncate(file('tampered.cfs'), bytes.length - 3);
    await expect(openForAppend(await out('tampered.cfs'))).rejects.toThrow(/no trailer at its end/);
  });

  // Crafted last segments whose digests all match: only the reader's checks across segments stand.
  it.each([
    ['a table that does not extend the previous one', (f: Footer) => void (f.classes as string[]).reverse(), /does not extend the classes table/],
    [
      'plates under another key than the earlier segment',
      (f: Footer) => void ((f.plates as { keyId: string }).keyId = 'hmac-sha256:ffffffffffffffff'),
      /different plate keys/,
    ],
    ['a previous footer of another length', (f: Footer & { previous: { length: number } }) => void (f.previous.length -= 8), /.+/],
    ['counts the segment does not hold', (f: Footer) => void (f.counts.references += 1), /out of bounds/],
  ])('refuses %s in one line', async (_name, edit, reason) => {
    await appended('crafted.cfs');
    const crafted = resealLastSegment(await readFile(file('crafted.cfs')), edit);
    await writeFile(file('probe.cfs'), crafted);
    const error = await readStore(file('probe.cfs')).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(InputError);
    expect((error as Error).message.split('\n')).toHaveLength(1);
    expect((error as Error).message).toMatch(reason);
  });
});
