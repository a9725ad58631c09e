import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { plateDigest } from '../../../src/identify/plates/key.js';
import { PlateMatcher, plateShapes } from '../../../src/identify/plates/matcher.js';
import { type PlateScanResult, scanPlates } from '../../../src/identify/plates/scan.js';
import { csvText, jsonlText, jsonText, logLine, makePlates, prng, spell, spellings } from './generate.js';

const KEY = Buffer.from('test-plate-key-0123456789abcdef');
const AGENCY = makePlates(400, 1);
const OTHERS = makePlates(400, 2, new Set(AGENCY));
const matcherFor = (plates: readonly string[], shapes?: readonly string[]): PlateMatcher =>
  PlateMatcher.fromHex(
    KEY,
    plates.map((p) => plateDigest(KEY, p)),
    shapes,
  );
const MATCHER = matcherFor(AGENCY);
const SHAPED = matcherFor(AGENCY, plateShapes(AGENCY));

const scan = (text: string | Buffer, matcher = MATCHER, chunk = 64 * 1024): Promise<PlateScanResult> => {
  const bytes = Buffer.isBuffer(text) ? text : Buffer.from(text);
  const chunks: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += chunk) chunks.push(bytes.subarray(i, i + chunk));
  return scanPlates(Readable.from(chunks), matcher);
};

/** Asserts that no agency plate appears in `output`, in any spelling, separators and case ignored. */
function expectNoAgencyPlate(output: string): void {
  const folded = output.toUpperCase().replace(/[\s.\-"]/g, '');
  for (const plate of AGENCY) {
    expect(folded).not.toContain(plate);
    for (const s of spellings(plate)) expect(output).not.toContain(s);
  }
}

const logOf = (plates: readonly string[], seed: number): string => {
  const rng = prng(seed);
  const lines: string[] = [];
  plates.forEach((plate, i) => {
    lines.push(logLine(i * 3, undefined, rng), logLine(i * 3 + 1, spell(plate, rng), rng), logLine(i * 3 + 2, undefined, rng));
  });
  return `${lines.join('\n')}\n`;
};

describe('scanPlates: recall over spellings, per format', () => {
  const cases: [string, (plates: readonly string[], seed: number) => string, string][] = [
    ['csv', (plates, seed) => csvText(plates, prng(seed)), 'csv'],
    ['tsv', (plates, seed) => csvText(plates, prng(seed), '\t'), 'csv'],
    ['jsonl', (plates, seed) => jsonlText(plates, prng(seed)), 'jsonl'],
    ['json', (plates, seed) => jsonText(plates, prng(seed)), 'json'],
    ['log', logOf, 'text'],
  ];

  it.each(cases)('%s: finds at least 99 in 100 agency plates and reports none', async (_name, make, format) => {
    for (const matcher of [MATCHER, SHAPED]) {
      const result = await scan(make(AGENCY, 7), matcher);
      expect(result.format).toBe(format);
      expect(result.records / AGENCY.length).toBeGreaterThanOrEqual(0.99);
      expectNoAgencyPlate(JSON.stringify(result));
    }
  });

  it.each(cases)('%s: a file of other plates holds no agency records', async (_name, make) => {
    const result = await scan(make(OTHERS, 8));
    expect(result.records).toBe(0);
    expect(result.where).toEqual([]);
  });

  it('finds every spelling of every plate, embedded in text', async () => {
    const variants = AGENCY.map((plate) => spellings(plate));
    const widest = Math.max(...variants.map((v) => v.length));
    for (let j = 0; j < widest; j++) {
      const written = variants.flatMap((v) => (v[j] === undefined ? [] : [v[j]]));
      const result = await scan(written.map((s, i) => (i % 2 ? `seen ${s} at lane 3` : `id=${s};`)).join('\n'));
      expect(result.records).toBe(written.length);
    }
  });
});

describe('scanPlates: streaming', () => {
  it('gives the same result whatever the chunking (tokens split across chunks)', async () => {
    const text = logOf(AGENCY.slice(0, 60), 3) + csvText(AGENCY.slice(60, 80), prng(4));
    const whole = await scan(text, MATCHER, 1 << 20);
    expect(whole.records).toBe(80);
    for (const size of [1, 2, 3, 7, 4093]) expect(await scan(text, MATCHER, size)).toEqual(whole);
    const csv = csvText(AGENCY.slice(0, 50), prng(5));
    const json = jsonText(AGENCY.slice(0, 50), prng(5));
    for (const size of [1, 5, 333]) {
      expect(await scan(csv, MATCHER, size)).toEqual(await scan(csv));
      expect(await scan(json, MATCHER, size)).toEqual(await scan(json));
    }
  });

  it('handles a multi-byte character split across chunks (full-width plate)', async () => {
    const plate = AGENCY[0]!;
    const wide = [...plate].map((c) => String.fromCodePoint(c.codePointAt(0)! + 0xfee0)).join('');
    for (const size of [1, 2, 5]) expect((await scan(`seen ${wide} today\n`, MATCHER, size)).records).toBe(1);
  });
});

describe('scanPlates: evidence', () => {
  it('names CSV columns and lists lines for logs', async () => {
    expect((await scan(csvText(AGENCY.slice(0, 30), prng(1)))).where).toEqual(['note', 'plate_no']);
    const log = await scan(`nothing\nplate=${AGENCY[0]}\nnothing\nnothing ${AGENCY[1]!.toLowerCase()}\n`);
    expect(log).toMatchObject({ format: 'text', records: 2, where: ['line 2', 'line 4'] });
  });

  it('collapses JSON paths and keeps a few exact ones', async () => {
    const result = await scan(jsonText(AGENCY.slice(0, 10), prng(2)));
    expect(result.where).toEqual(['$.reads[*].vehicle.plate']);
    expect(result.examples[0]).toMatch(/^line \d+: \$\.reads\[0\]\.vehicle\.plate$/);
    expect(result.examples).toHaveLength(5);
  });

  it('never shows a header-less first row or a plate used as a JSON key', async () => {
    const headerless = `${AGENCY[0]},lane 1\n${AGENCY[1]},lane 2\n${AGENCY[2]},lane 3\n`;
    const csv = await scan(headerless);
    expect(csv).toMatchObject({ format: 'csv', records: 3, where: ['#1'] });
    const keyed = await scan(JSON.stringify({ byPlate: { [AGENCY[3]!]: { seen: 2 }, [AGENCY[4]!.toLowerCase()]: 'x' } }));
    expect(keyed).toMatchObject({ format: 'json', records: 2, where: ['$.byPlate.*'] });
    expectNoAgencyPlate(JSON.stringify([csv, keyed]));
  });

  it('caps where and says so', async () => {
    const lines = AGENCY.slice(0, 50).map((p) => `plate=${p}`);
    const result = await scan(lines.join('\n'));
    expect(result.where).toHaveLength(20);
    expect(result.whereTruncated).toBe(true);
    expect(result.records).toBe(50);
  });

  it('falls back to text when content starting like JSON is not JSON', async () => {
    const result = await scan(`[2026-01-01 00:00:00] INFO start\n[2026-01-01 00:00:01] INFO plate=${AGENCY[5]}\n`);
    expect(result).toMatchObject({ format: 'text', records: 1, where: ['line 2'] });
    const broken = await scan(`{"a":1}\n{"b":2}\nnot json ${AGENCY[6]}\n`);
    expect(broken.records).toBe(1);
  });
});
