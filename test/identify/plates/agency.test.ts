import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { AgencyPlatesError, buildPlateSet, readAgencyPlates } from '../../../src/identify/plates/agency.js';
import { plateDigest, plateKeyId } from '../../../src/identify/plates/key.js';
import { PlateSetSchema } from '../../../src/references/schema.js';
import { csvText, makePlates, prng, spellings } from './generate.js';

const KEY = Buffer.from('agency-plate-key-0123456789abcdef');
const PLATES = makePlates(200, 11);
const read = (text: string, column?: string, chunk = 4096) => {
  const bytes = Buffer.from(text);
  const chunks: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += chunk) chunks.push(bytes.subarray(i, i + chunk));
  return readAgencyPlates(Readable.from(chunks), { column });
};

describe('readAgencyPlates', () => {
  it('finds the plate column by name and normalises every spelling', async () => {
    const result = await read(csvText(PLATES, prng(3)));
    expect(result).toMatchObject({ column: 'plate_no', rows: 200, invalid: 0 });
    expect([...result.plates].sort()).toEqual([...PLATES].sort());
  });

  it.each(['Plate', 'LPN', 'licence_plate', 'VRM', 'tag', 'Registration'])('recognises a %s column, case-insensitively', async (name) => {
    const result = await read(`\uFEFFtime;${name}\n1;ab-12-cd\n2;AB12CD\n3;\n4;not a plate!\n`);
    expect(result).toMatchObject({ column: name, rows: 4, invalid: 2 });
    expect([...result.plates]).toEqual(['AB12CD']);
  });

  it('reads TSV and a column named explicitly, across small chunks', async () => {
    const result = await read(csvText(PLATES.slice(0, 20), prng(4), '\t').replace('plate_no', 'kenteken'), 'KENTEKEN', 7);
    expect(result.column).toBe('kenteken');
    expect(result.plates.size).toBe(20);
  });

  it('names the header, never a plate, when no plate column is found', async () => {
    const headerless = `${PLATES[0]},lane,${PLATES[1]!.toLowerCase()}\n${PLATES[2]},1,x\n`;
    const error = await read(headerless).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AgencyPlatesError);
    expect((error as AgencyPlatesError).reason).toBe('no-plate-column');
    expect((error as Error).message).toMatch(/^no plate column in the agency plate file \(columns: #1, lane, #3\)/);
    await expect(read('time,lane\n1,2\n', 'plate_nr')).rejects.toThrow(/no column named "plate_nr" .*columns: time, lane/);
  });

  it('reports malformed CSV by code and line only', async () => {
    const error = await read(`plate,note\n${PLATES[0]},"unterminated ${PLATES[1]}\n`).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AgencyPlatesError);
    expect((error as Error).message).toMatch(/^agency plate file is not valid CSV \(CSV_\w+ near line \d+\)$/);
    await expect(read('')).rejects.toThrow(/empty/);
  });
});

describe('buildPlateSet', () => {
  const set = buildPlateSet([...PLATES, 'ab-12-cd', 'AB12CD', 'not a plate!'], KEY, [
    { id: 'reads/b.csv', column: 'lpn', rows: 3 },
    { id: 'reads/a.csv', column: 'plate', rows: 200 },
  ]);

  it('holds sorted distinct keyed digests, the key id and sorted sources', () => {
    expect(PlateSetSchema.parse(set)).toEqual(set);
    expect(set.digests).toHaveLength(PLATES.length + 1);
    expect(set.digests).toEqual([...set.digests].sort());
    expect(set.digests).toContain(plateDigest(KEY, 'AB12CD'));
    expect(set.keyId).toBe(plateKeyId(KEY));
    expect(set.sources.map((s) => s.id)).toEqual(['reads/a.csv', 'reads/b.csv']);
  });

  it('contains no plate in clear, in any spelling', () => {
    const json = JSON.stringify(set);
    const folded = json.toUpperCase();
    for (const plate of PLATES) {
      expect(folded).not.toContain(plate);
      for (const s of spellings(plate)) expect(json).not.toContain(s);
    }
    expect(json).not.toContain(KEY.toString());
    expect(json).not.toContain(KEY.toString('hex'));
  });
});
