import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { plateDigest } from '../../../src/identify/plates/key.js';
import { PlateMatcher, plateShapes } from '../../../src/identify/plates/matcher.js';
import { type PlateScanResult, scanPlates } from '../../../src/identify/plates/scan.js';
import { partName, partPairs } from '../../../src/identify/plates/split-fields.js';
import { makePlates, prng } from './generate.js';

/** Issue #18 item 6: a plate split across two fields (series + serial, state + number) is joined. */

const KEY = Buffer.from('test-plate-key-0123456789abcdef');
const AGENCY = makePlates(300, 31);
const OTHERS = makePlates(3000, 32, new Set(AGENCY));
const MATCHER = PlateMatcher.fromHex(
  KEY,
  AGENCY.map((p) => plateDigest(KEY, p)),
  plateShapes(AGENCY),
);

const scan = (text: string | Buffer, chunk = 7): Promise<PlateScanResult> => {
  const bytes = Buffer.isBuffer(text) ? text : Buffer.from(text);
  const chunks: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += chunk) chunks.push(bytes.subarray(i, i + chunk));
  return scanPlates(Readable.from(chunks), MATCHER);
};

/** Splits a plate where its letters and digits meet (`ABC1234` -> `ABC`, `1234`), else after 3. */
function split(plate: string): [string, string] {
  const at = plate.search(/(?<=[A-Z])(?=[0-9])|(?<=[0-9])(?=[A-Z])/);
  const cut = at > 0 ? at : 3;
  return [plate.slice(0, cut), plate.slice(cut)];
}

const SOME = AGENCY.slice(0, 40);

describe('field names', () => {
  it.each([
    ['series', 'leading'],
    ['Plate_Series', 'leading'],
    ['plateState', 'leading'],
    ['registration_prefix', 'leading'],
    ['serial', 'trailing'],
    ['plate number', 'trailing'],
    ['licensePlateNumber', 'trailing'],
    ['plate', undefined],
    ['seen_at', undefined],
    ['ABC1234', undefined],
  ])('%s is %s', (name, part) => expect(partName(name)).toBe(part));

  it('pairs every leading part with every trailing one, four of each at most', () => {
    expect(partPairs(['id', 'series', 'serial', 'lane'])).toEqual([[1, 2]]);
    expect(partPairs(['state', 'prefix', 'number'])).toEqual([
      [0, 2],
      [1, 2],
    ]);
    expect(partPairs(Array.from({ length: 10 }, (_, i) => (i % 2 ? 'serial' : 'series'))).length).toBe(16);
  });
});

describe('CSV', () => {
  it('series + serial columns (before: 0 found)', async () => {
    const rows = SOME.map((p, i) => `${i},${split(p).join(',')},2026-11-01`);
    const result = await scan(`id,series,serial,seen_at\n${rows.join('\n')}\n`);
    expect(result.records).toBe(SOME.length);
    expect(result.where).toEqual(['series+serial']);
  });

  it('state + number, with a UTF-8 BOM before the header, semicolons and quoted spaced parts', async () => {
    const rows = SOME.map((p) => `"CA";"${split(p).join(' ')}";"x"`);
    const bom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(`plate_state;plate_number;note\n${rows.join('\n')}\n`)]);
    const result = await scan(bom);
    expect(result.records).toBe(SOME.length); // the number alone is the plate here
    const split3 = SOME.map((p) => `"${split(p)[0]}";"${split(p)[1]}"`);
    const joined = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(`Plate Prefix;Plate Number\n${split3.join('\n')}\n`)]);
    expect((await scan(joined)).records).toBe(SOME.length);
  });

  it('UTF-16 LE without a BOM, split columns', async () => {
    const text = `series\tserial\n${SOME.map((p) => split(p).join('\t')).join('\r\n')}\r\n`;
    expect((await scan(Buffer.from(text, 'utf16le'), 4096)).records).toBe(SOME.length);
  });

  it('columns not named as parts are never joined', async () => {
    const rows = SOME.map((p) => split(p).join(','));
    expect((await scan(`make,model\n${rows.join('\n')}\n`)).records).toBe(0);
  });
});

describe('JSON', () => {
  // A serial written as a JSON number (no leading zero to lose) joins as its digits.
  it('sibling keys, a nested plate object, prefixed keys and a plate array (the three shapes)', async () => {
    const flat = SOME.map((p) => JSON.stringify({ id: 1, series: split(p)[0], serial: split(p)[1] }));
    const nested = SOME.map((p) => JSON.stringify({ read: { plate: { state: 'TX', series: split(p)[0], number: split(p)[1] } } }));
    const prefixed = SOME.map((p) =>
      JSON.stringify({ plateSeries: split(p)[0], plateSerial: /^[1-9][0-9]*$/.test(split(p)[1]) ? Number(split(p)[1]) : split(p)[1] }),
    );
    const array = SOME.map((p) => JSON.stringify({ plate: split(p) }));
    for (const [shape, lines] of Object.entries({ flat, nested, prefixed, array })) {
      const result = await scan(`${lines.join('\n')}\n`);
      expect(result.records, shape).toBe(SOME.length);
    }
    const reads = JSON.stringify({ reads: SOME.map((p) => ({ vehicle: { series: split(p)[0], serial: split(p)[1] } })) }, null, 2);
    const result = await scan(reads);
    expect(result.records).toBe(SOME.length);
    expect(result.where).toEqual(['$.reads[*].vehicle.{series+serial}']);
  });

  it('parts in different objects are not joined', async () => {
    const apart = SOME.map((p) => JSON.stringify({ a: { series: split(p)[0] }, b: { serial: split(p)[1] } }));
    expect((await scan(`${apart.join('\n')}\n`)).records).toBe(0);
  });
});

describe('false joins', () => {
  it('none on other plates split the same ways, nor on part-named columns of unrelated values', async () => {
    const rng = prng(5);
    const csv = OTHERS.map((p, i) => `${split(p).join(',')},${i % 60},${Math.floor(rng() * 1e6)}`);
    const json = OTHERS.map((p) => JSON.stringify({ state: 'NY', series: split(p)[0], serial: split(p)[1], number: Math.floor(rng() * 9999) }));
    expect((await scan(`series,serial,region,number\n${csv.join('\n')}\n`, 64 * 1024)).records).toBe(0);
    expect((await scan(`${json.join('\n')}\n`, 64 * 1024)).records).toBe(0);
  });
});
