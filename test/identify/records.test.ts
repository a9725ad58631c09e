import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { DEFAULT_DETECT_LIMITS, type DetectorSetup } from '../../src/identify/detector.js';
import { buildPlateSet } from '../../src/identify/plates/agency.js';
import { recordDetector } from '../../src/identify/records.js';
import type { Item, Notice } from '../../src/sources/item.js';
import { csvText, jsonlText, logLine, makePlates, prng, spell, spellings } from './plates/generate.js';
import { plateOnlyIndex } from './support/fingerprint-index.js';

const KEY = Buffer.from('records-test-key-0123456789abcdef');
const OTHER_KEY = Buffer.from('a-different-key-0123456789abcdef');
const AGENCY = makePlates(100, 21);
const OTHERS = makePlates(100, 22, new Set(AGENCY));

function setup(plateKey: Buffer | undefined, plates = buildPlateSet(AGENCY, KEY, [{ id: 'reads.csv', column: 'plate', rows: 100 }])) {
  const notices: Notice[] = [];
  const value: DetectorSetup = {
    fingerprints: plateOnlyIndex(plates),
    markers: [],
    limits: DEFAULT_DETECT_LIMITS,
    ...(plateKey ? { plateKey } : {}),
    notice: (notice) => notices.push(notice),
  };
  return { value, notices };
}

function item(text: string, location = 'share/export.txt'): Item {
  const bytes = Buffer.from(text);
  return {
    location,
    origin: 'filesystem',
    size: bytes.length,
    content: {
      head: async (n) => bytes.subarray(0, n),
      readAll: async () => bytes,
      stream: () => Readable.from([bytes.subarray(0, 1000), bytes.subarray(1000)]),
    },
  };
}

describe('recordDetector.create', () => {
  it('has nothing to do without plate sets', () => {
    const notices: Notice[] = [];
    const detector = recordDetector.create({
      fingerprints: plateOnlyIndex(),
      markers: [],
      limits: DEFAULT_DETECT_LIMITS,
      plateKey: KEY,
      notice: (n) => notices.push(n),
    });
    expect(detector).toBeUndefined();
    expect(notices).toEqual([]);
  });

  it('warns and finds nothing without a key', () => {
    const { value, notices } = setup(undefined);
    expect(recordDetector.create(value)).toBeUndefined();
    expect(notices).toEqual([{ level: 'warning', message: expect.stringMatching(/no plate key given.*cannot be checked/) }]);
  });

  it('warns that the key identifier does not match, and finds nothing, with the wrong key', () => {
    const { value, notices } = setup(OTHER_KEY);
    expect(recordDetector.create(value)).toBeUndefined();
    expect(notices).toHaveLength(1);
    expect(notices[0]!.message).toMatch(/key identifier does not match .*plate records cannot be checked/);
  });
});

describe('recordDetector.detect', () => {
  const { value, notices } = setup(KEY);
  const detector = recordDetector.create(value)!;

  it('applies to text only', () => {
    expect(notices).toEqual([]);
    expect(detector.needsMedia).toBe(true);
    expect(detector.applies(item('x'), 'text/plain')).toBe(true);
    expect(detector.applies(item('x'), 'image/jpeg')).toBe(false);
    expect(detector.applies(item('x'), 'application/gzip')).toBe(false);
  });

  it('identifies a log holding agency plates, with counts and places only', async () => {
    const rng = prng(5);
    const lines = AGENCY.slice(0, 30).map((plate, i) => logLine(i, spell(plate, rng), rng));
    const result = await detector.detect(item(lines.join('\n')), 'text/plain');
    expect(result.identifications).toEqual([
      {
        asset: 'plate-record',
        method: 'record',
        evidence: { records: 30, format: 'text', where: expect.any(Array), whereTruncated: true, keyId: expect.stringMatching(/^hmac-sha256:/) },
      },
    ]);
  });

  it('identifies CSV and JSONL copies', async () => {
    const csv = await detector.detect(item(csvText(AGENCY, prng(1))), 'text/plain');
    expect(csv.identifications[0]?.evidence).toMatchObject({ records: 100, format: 'csv', where: ['note', 'plate_no'] });
    const jsonl = await detector.detect(item(jsonlText(AGENCY.slice(0, 40), prng(2))), 'text/plain');
    expect(jsonl.identifications[0]?.evidence).toMatchObject({ records: 40, format: 'jsonl', where: ['$.read.vehicle.lpn'] });
  });

  it('does not call an export of other plates agency data', async () => {
    expect((await detector.detect(item(csvText(OTHERS, prng(3))), 'text/plain')).identifications).toEqual([]);
  });

  it('never puts an agency plate, in any spelling, in its result', async () => {
    const rng = prng(9);
    const inputs = [
      csvText(AGENCY, rng),
      jsonlText(AGENCY, rng),
      `${AGENCY[0]},${AGENCY[1]}\n${AGENCY[2]},${AGENCY[3]}\n`,
      JSON.stringify(Object.fromEntries(AGENCY.map((p) => [p.toLowerCase(), 1]))),
    ];
    for (const text of inputs) {
      const result = await detector.detect(item(text), 'text/plain');
      expect(result.identifications).toHaveLength(1);
      const json = JSON.stringify(result);
      const folded = json.toUpperCase().replace(/[\s.-]/g, '');
      for (const plate of AGENCY) {
        expect(folded).not.toContain(plate);
        for (const s of spellings(plate)) expect(json).not.toContain(s);
      }
    }
  });

  it('turns a failing stream into incomplete coverage', async () => {
    const broken: Item = {
      ...item('x'),
      content: {
        head: async () => Buffer.alloc(0),
        readAll: async () => Buffer.alloc(0),
        stream: () =>
          new Readable({
            read() {
              this.destroy(Object.assign(new Error('EIO: i/o error'), { code: 'EIO' }));
            },
          }),
      },
    };
    const result = await detector.detect(broken, 'text/plain');
    expect(result.identifications).toEqual([]);
    expect(result.coverage).toEqual([{ location: 'share/export.txt', reason: 'unreadable', detail: 'plate scan stopped: EIO', incomplete: true }]);
  });
});
