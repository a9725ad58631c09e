import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { referenceOfView } from '../../src/references/columns.js';
import type { PlateSet, Reference } from '../../src/references/schema.js';
import { appendSegment, openForAppend } from '../../src/references/store-append.js';
import { readStore } from '../../src/references/store-read.js';
import { writeStore } from '../../src/references/store-write.js';
import { InputError } from '../../src/util/errors.js';
import { writeGuard } from '../../src/util/safe-write.js';
import { VERSION } from '../../src/version.js';
import { tempDir } from '../support/tmp.js';
import { footerOf, reseal } from './support/reseal.js';
import { resealLastSegment } from './support/reseal-segment.js';
import { syntheticReference } from './support/synthetic.js';

/**
 * A store read with its views left in the file (an audit of a large store) does not keep the
 * `viewReference` column, which only repeats `viewStart`: each value is checked as it is read, and
 * a view's reference is found from `viewStart` (referenceOfView), the same as the column says, over
 * several segments too. A store whose column disagrees is refused either way.
 */
const byId = (a: Reference, b: Reference) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
// Every third reference has 9 views, the others none: ranges of views with empty ones between.
const references = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => syntheticReference(from + i)).sort(byId);
const plates: PlateSet = {
  algorithm: 'hmac-sha256',
  normalisation: 'v1',
  keyId: 'hmac-sha256:0123456789abcdef',
  digests: ['1'.repeat(64)],
  shapes: ['LLLDDDD'],
  sources: [{ id: 'reads/a.csv', column: 'plate', rows: 1 }],
};
const meta = (createdAt: string) => ({ tool: { name: 'custody' as const, version: VERSION }, createdAt, roots: ['agency'] });
const LEAVE = { viewsInMemoryUpTo: 0 };

describe('view owners of a store whose views stay in the file', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  const out = async (name: string) => ({ guard: await writeGuard(dir, []), cwd: dir, path: name });

  beforeAll(async () => {
    ({ dir, cleanup } = await tempDir('custody-view-owners-'));
    await writeStore(() => references(0, 300), plates, meta('2026-12-01T00:00:00.000Z'), await out('one.cfs'));
    await writeStore(() => references(0, 200), plates, meta('2026-12-01T00:00:00.000Z'), await out('two.cfs'));
    const target = await openForAppend(await out('two.cfs'));
    try {
      await appendSegment(target, () => references(200, 300), { ...plates, digests: [] }, meta('2026-12-02T00:00:00.000Z'));
    } finally {
      await target.handle.close();
    }
  });
  afterAll(() => cleanup());

  it('are found from viewStart as the kept column says, over one segment and two', async () => {
    for (const name of ['one.cfs', 'two.cfs']) {
      const left = await readStore(path.join(dir, name), LEAVE);
      const whole = await readStore(path.join(dir, name));
      expect(left.columns.viewReference.length).toBe(0);
      expect(left.footer.digest).toBe(whole.footer.digest);
      const kept = whole.columns.viewReference;
      expect(kept.length).toBe(100 * 9); // references 0, 3, ..., 297
      const found = Array.from({ length: kept.length }, (_, v) => referenceOfView(left.columns, v));
      expect(found).toEqual([...kept]);
      // The kept column answers for itself.
      expect(referenceOfView(whole.columns, kept.length - 1)).toBe(kept[kept.length - 1]);
    }
  });

  it('refuse, left in the file or kept, a store whose viewReference is laid out before viewStart (reviewer)', async () => {
    // The view owners are checked against the segment's viewStart as they stream past, so viewStart
    // must come first: a footer listing sections out of custody's order is refused, whatever the
    // bytes, rather than checked against a viewStart not yet read.
    const bytes = await readFile(path.join(dir, 'one.cfs'));
    const footer = footerOf(bytes);
    const spans = Object.entries(footer.sections).sort((a, b) => a[1].offset - b[1].offset);
    const order = spans.filter(([n]) => n !== 'viewReference');
    order.splice(
      order.findIndex(([n]) => n === 'viewStart'),
      0,
      spans.find(([n]) => n === 'viewReference')!,
    );
    const moved: Record<string, { offset: number; length: number }> = {};
    const reordered = reseal(
      bytes,
      (f) => {
        f.sections = { ...f.sections, ...moved };
      },
      (body) => {
        const old = Buffer.from(body);
        body.fill(0, spans[0]![1].offset);
        let at = spans[0]![1].offset;
        for (const [name, { offset, length }] of order) {
          old.copy(body, at, offset, offset + length);
          moved[name] = { offset: at, length };
          at += length + ((8 - (length % 8)) % 8);
        }
      },
    );
    const probe = path.join(dir, 'reordered.cfs');
    await writeFile(probe, reordered);
    for (const options of [LEAVE, {}])
      await expect(readStore(probe, options)).rejects.toThrow(/section viewReference lies before the end of the section custody writes before it/);
  });

  it('refuse a store whose viewReference disagrees with viewStart, left in the file or kept', async () => {
    for (const name of ['one.cfs', 'two.cfs']) {
      const bytes = await readFile(path.join(dir, name));
      const section = footerOf(bytes).sections['viewReference']!;
      // View 10 of the (last) segment claims the next reference; every checksum is made to match.
      const at = section.offset + 40;
      const edited = Buffer.from(bytes);
      edited.writeUInt32LE(edited.readUInt32LE(at) + 1, at);
      const resealed = name === 'one.cfs' ? reseal(edited, () => {}) : resealLastSegment(edited, () => {});
      const probe = path.join(dir, 'probe.cfs');
      await writeFile(probe, resealed);
      for (const options of [LEAVE, {}]) {
        const error = await readStore(probe, options).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(error).toBeInstanceOf(InputError);
        // View 10 of the last segment: in the second store after the first's 603 views (67 of
        // references 0-199 have 9 views each).
        expect((error as Error).message).toMatch(new RegExp(`column viewReference holds an invalid value at ${name === 'one.cfs' ? 10 : 603 + 10}$`));
      }
    }
  });
});
