import { describe, expect, it } from 'vitest';
import { type CachedEntry, decodeEntry, encodeEntry } from '../../src/cache/entry.js';
import { type FileStamp, MalformedRecords, RecordIndex, RecordWriter, readRecord, sameStamp } from '../../src/cache/records.js';

const stamp = (i: number): FileStamp => ({
  dev: 2049n,
  ino: BigInt(1_000_000 + i),
  size: i * 7,
  mtimeNs: 1_700_000_000_123_456_789n + BigInt(i),
  ctimeNs: 1_700_000_001_000_000_001n,
});

describe('cache records', () => {
  it('finds every one of many records by location, with its stamp and payload, and nothing else', () => {
    const writer = new RecordWriter();
    const n = 20_000;
    for (let i = 0; i < n; i++) writer.add(`dir ${i % 97}/file-${i}.jpg`, stamp(i), i, `{"f":{"n":${i}}}`);
    const index = new RecordIndex(writer.bytes());
    expect(index.count).toBe(n);
    for (const i of [0, 1, 96, 4_321, n - 1]) {
      const offset = index.find(Buffer.from(`dir ${i % 97}/file-${i}.jpg`));
      const record = readRecord(index.body, offset);
      expect(sameStamp(record.stamp, stamp(i))).toBe(true);
      expect([record.bytesRead, record.json]).toEqual([i, `{"f":{"n":${i}}}`]);
    }
    expect(index.find(Buffer.from('dir 0/file-1.jpg'))).toBe(-1);
    expect(index.find(Buffer.from(''))).toBe(-1);
  });

  it('tells a changed nanosecond, inode or size from an unchanged stamp', () => {
    const base = stamp(3);
    expect(sameStamp(base, { ...base })).toBe(true);
    expect(sameStamp(base, { ...base, mtimeNs: base.mtimeNs + 1n })).toBe(false);
    expect(sameStamp(base, { ...base, ctimeNs: base.ctimeNs + 1n })).toBe(false);
    expect(sameStamp(base, { ...base, ino: base.ino + 1n })).toBe(false);
    expect(sameStamp(base, { ...base, size: base.size + 1 })).toBe(false);
  });

  it('rejects a body whose records do not add up', () => {
    const writer = new RecordWriter();
    writer.add('a', stamp(1), 0, '{}');
    writer.add('a', stamp(2), 0, '{}');
    expect(() => new RecordIndex(writer.bytes())).toThrow(MalformedRecords); // a location twice
    const single = new RecordWriter();
    single.add('b', stamp(1), 0, '{}');
    expect(() => new RecordIndex(single.bytes().subarray(0, single.length - 1))).toThrow(MalformedRecords);
  });
});

describe('cache entries', () => {
  const entry: CachedEntry = {
    media: 'image/jpeg',
    identifications: [{ asset: 'vehicle-image', method: 'perceptual', reference: 'r1', evidence: { distance: 4, variant: 'full' } }],
    facts: { media: 'image/jpeg', sha256: 'ab'.repeat(32), capturedAt: new Date('2024-05-01T10:00:00Z'), capturedAtField: 'DateTimeOriginal' },
    coverage: [],
    bytesRead: 1234,
    expansion: [
      { kind: 'coverage', entry: { location: 'a.zip!/x', reason: 'encrypted', detail: 'encrypted zip entry, not inspected', incomplete: true } },
      {
        kind: 'member',
        member: { location: 'a.zip!/y.jpg', size: 10, mtime: new Date('2020-01-01T00:00:00Z'), mode: 0o644, archiveChain: ['a.zip'] },
        conclusion: { identifications: [], facts: {}, coverage: [] },
      },
    ],
  };

  it('round-trips what a replay needs, dates included', () => {
    const json = encodeEntry(entry);
    expect(json).toBeDefined();
    expect(decodeEntry(json!, 1234)).toEqual(entry);
  });

  it.each([
    ['unreadable', 'EIO'],
    ['changed-during-scan', 'size changed during the scan (10 -> 12 bytes)'],
    ['inspection-failed', 'perceptual: out of memory'],
    ['corrupt-archive', 'EIO: i/o error, read'],
    ['a-reason-added-later', 'anything'],
  ])('never stores a conclusion that may be transient (%s)', (reason, detail) => {
    const coverage = [{ location: 'x', reason, detail, incomplete: true }];
    expect(encodeEntry({ ...entry, coverage })).toBeUndefined();
    expect(encodeEntry({ ...entry, coverage: [], expansion: [{ kind: 'coverage', entry: coverage[0]! }] })).toBeUndefined();
  });

  it('stores deterministic coverage, and refuses values JSON would not give back', () => {
    expect(encodeEntry({ ...entry, coverage: [{ location: 'x', reason: 'corrupt-image', detail: 'VipsJpeg: bad', incomplete: true }] })).toBeDefined();
    expect(encodeEntry({ ...entry, identifications: [{ ...entry.identifications[0]!, evidence: { at: new Date() } }] })).toBeUndefined();
    expect(encodeEntry({ ...entry, identifications: [{ ...entry.identifications[0]!, evidence: { distance: Number.NaN } }] })).toBeUndefined();
  });
});
