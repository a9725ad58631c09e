import { describe, expect, it } from 'vitest';
import yauzl from 'yauzl';
import { exampleText, plates, zip } from './synth-api.js';

const SHAPES = [/^[A-Z]{3}\d{4}$/, /^[A-Z]{2}\d{2}[A-Z]{3}$/, /^\d[A-Z]{3}\d{3}$/];

describe('plates', () => {
  it('generates distinct, deterministic plates in the documented shapes', () => {
    const a = plates.generatePlates({ seed: 1, count: 300 });
    expect(plates.generatePlates({ seed: 1, count: 300 })).toEqual(a);
    expect(new Set(a).size).toBe(300);
    for (const p of a)
      expect(
        SHAPES.some((re) => re.test(p)),
        p,
      ).toBe(true);
    for (const re of SHAPES) expect(a.some((p) => re.test(p))).toBe(true);
    expect(a.some((p) => /[IOQ]/.test(p))).toBe(false);
    const b = plates.generatePlates({ seed: 2, count: 300, exclude: new Set(a) });
    expect(b.filter((p) => a.includes(p))).toEqual([]);
  });

  it('produces time-ordered reads covering every plate, as CSV', () => {
    const list = plates.generatePlates({ seed: 3, count: 50 });
    const reads = plates.plateReads({ seed: 3, count: 200, plates: list });
    expect(reads).toHaveLength(200);
    expect(new Set(reads.map((r) => r.plate))).toEqual(new Set(list));
    expect(new Set(reads.map((r) => r.read_id)).size).toBe(200);
    for (let i = 1; i < reads.length; i++) expect(reads[i]!.captured_at >= reads[i - 1]!.captured_at).toBe(true);
    for (const r of reads) {
      expect(r.captured_at.startsWith('2026-10-')).toBe(true);
      expect(Number(r.confidence)).toBeGreaterThanOrEqual(0.8);
      expect(r.camera).toBe(`L${r.lane}-C${r.camera.split('-C')[1]}`);
    }
    const csv = plates.plateReadsCsv(reads).trimEnd().split('\n');
    expect(csv[0]).toBe('read_id,captured_at,lane,camera,plate,confidence');
    expect(csv).toHaveLength(201);
    expect(plates.plateReads({ seed: 3, count: 200, plates: list })).toEqual(reads);
  });

  it('spells plates the ways logs do, and counts agency plates in a log', () => {
    expect(exampleText.spellPlate('ABC1234', 1)).toBe('ABC 1234');
    expect(exampleText.spellPlate('ABC1234', 2)).toBe('abc-1234');
    expect(exampleText.spellPlate('AB12CDE', 1)).toBe('AB12 CDE');
    const agency = ['ABC1234', 'AB12CDE', '1ABC234'];
    const { text, agencyPlates } = exampleText.gatewayLog({ seed: 1, agency, other: ['ZZZ9999'], start: new Date('2026-10-01T00:00:00Z') });
    const normalised = text.toUpperCase().replace(/[ .-]/g, '');
    expect(agency.filter((p) => normalised.includes(`PLATE=${p}`))).toHaveLength(agencyPlates);
    expect(text).toMatch(/plate=ZZZ/i);
  });
});

describe('zip writer', () => {
  it('writes archives that yauzl reads back byte for byte', async () => {
    const members = [
      { name: 'export/a.jpg', data: Buffer.from('x'.repeat(5000)), mtime: new Date('2026-10-01T10:20:30Z') },
      { name: 'export/Zoë notes.txt', data: Buffer.from('short'), mtime: new Date('2026-10-01T10:20:30Z') },
      { name: 'empty', data: Buffer.alloc(0), mtime: new Date('2026-10-01T10:20:30Z') },
    ];
    const archive = zip.writeZip(members);
    expect(zip.writeZip(members).equals(archive)).toBe(true);
    const read = await new Promise<Map<string, Buffer>>((resolve, reject) => {
      const out = new Map<string, Buffer>();
      yauzl.fromBuffer(archive, { lazyEntries: true }, (err, zipfile) => {
        if (err) return reject(err);
        zipfile.on('entry', (entry: yauzl.Entry) => {
          zipfile.openReadStream(entry, (e, stream) => {
            if (e) return reject(e);
            const chunks: Buffer[] = [];
            stream.on('data', (c: Buffer) => chunks.push(c));
            stream.on('end', () => {
              out.set(entry.fileName, Buffer.concat(chunks));
              zipfile.readEntry();
            });
          });
        });
        zipfile.on('end', () => resolve(out));
        zipfile.readEntry();
      });
    });
    expect([...read.keys()]).toEqual(members.map((m) => m.name));
    for (const m of members) expect(read.get(m.name)!.equals(m.data)).toBe(true);
  });
});
