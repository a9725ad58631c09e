import { readdir } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expand, fileItem, makeTempDir, memoryItem, reasons } from '../sources/archives/support/harness.js';
import { buildParquet, buildSqlite, insertRows, otherPlates } from './support/data-files.js';

/**
 * Issue #18: hostile SQLite and Parquet files (truncated, lying sizes, bombs, deep nesting,
 * encrypted, code in the schema): each ends as coverage with a reason, never a crash or a hang, and
 * the audited tree is never written to.
 */

let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => ({ dir, cleanup } = await makeTempDir()));
afterAll(() => cleanup());

const plates = otherPlates(200, 9);

async function capturesDb(): Promise<Buffer> {
  return buildSqlite((db) => {
    db.run('CREATE TABLE captures (id INTEGER PRIMARY KEY, plate TEXT, image BLOB)');
    insertRows(
      db,
      'captures',
      ['plate', 'image'],
      plates.map((p, i) => [p, i % 50 === 0 ? Buffer.alloc(3000, i) : null]),
    );
  });
}

/** A database whose one BLOB is `inner`, `depth` times over. */
async function nestedDb(depth: number): Promise<Buffer> {
  let inner: Buffer = Buffer.from('innermost,plate\n1,x\n');
  for (let i = 0; i < depth; i++) {
    const blob = inner;
    inner = await buildSqlite((db) => {
      db.run('CREATE TABLE t (b BLOB)');
      insertRows(db, 't', ['b'], [[blob]]);
    });
  }
  return inner;
}

describe('hostile SQLite', () => {
  it('truncated: corrupt-archive, incomplete, no crash', async () => {
    const db = await capturesDb();
    const result = await expand(memoryItem('cut.sqlite', db.subarray(0, Math.floor(db.length / 2))));
    expect(result.coverage.map((c) => [c.reason, c.incomplete])).toContainEqual(['corrupt-archive', true]);
  });

  it('lying sizes: a table root page past the end, a page size that is not a power of two, pages cut off', async () => {
    const db = Buffer.from(await capturesDb());
    const pageSize = db.readUInt16BE(16);
    const lyingRoot = await buildSqlite((d) => {
      d.run('CREATE TABLE captures (id INTEGER PRIMARY KEY, plate TEXT)');
      insertRows(d, 'captures', ['plate'], [['ABC1234']]);
      d.run('PRAGMA writable_schema = ON');
      d.run("UPDATE sqlite_schema SET rootpage = 60000 WHERE name = 'captures'");
    });
    const lyingPageSize = Buffer.from(db);
    lyingPageSize.writeUInt16BE(pageSize - 1, 16);
    for (const bytes of [lyingRoot, lyingPageSize, db.subarray(0, pageSize * 2)]) {
      const result = await expand(memoryItem('lies.sqlite', bytes));
      expect(result.coverage.length, JSON.stringify(result.coverage)).toBeGreaterThan(0);
      expect(result.coverage.every((c) => c.reason === 'corrupt-archive' && c.incomplete)).toBe(true);
    }
  });

  it('code in the schema never runs: a virtual generated column of a gigabyte, a recursive view', async () => {
    const db = await buildSqlite((d) => {
      d.run('CREATE TABLE t (id INTEGER PRIMARY KEY, plate TEXT, bomb BLOB AS (zeroblob(1000000000)) VIRTUAL)');
      insertRows(d, 't', ['plate'], [['ABC1234']]);
      d.run('CREATE VIEW forever AS WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n) SELECT x FROM n');
    });
    const started = Date.now();
    const result = await expand(memoryItem('app.db', db));
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(result.coverage).toEqual([]);
    expect(result.bytes.get('app.db!/table/t')?.toString()).toBe('id,plate\n1,ABC1234\n');
  });

  it('deep nesting: databases in BLOBs stop at maxDepth with archive-limit', async () => {
    const result = await expand(memoryItem('d.sqlite', await nestedDb(8)), { maxDepth: 4 });
    expect(reasons(result).some((r) => r.startsWith('archive-limit') && r.includes('!/table/t/rowid-1/b'))).toBe(true);
    expect(result.coverage.find((c) => c.reason === 'archive-limit')?.detail).toMatch(/maxDepth \(4\)/);
  });

  it('encrypted (SQLCipher-like pages behind a plain header): corrupt-archive', async () => {
    const db = await capturesDb();
    const scrambled = Buffer.concat([db.subarray(0, 100), Buffer.from(db.subarray(100).map((b, i) => (b ^ (i * 7 + 13)) & 0xff))]);
    const result = await expand(memoryItem('secret.db', scrambled));
    expect(result.coverage.map((c) => c.reason)).toEqual(['corrupt-archive']);
  });

  it('a database over maxBufferedArchiveBytes is not read (archive-limit), from a path too', async () => {
    const db = await capturesDb();
    const { item, file } = await fileItem(dir, 'big.sqlite', db);
    const result = await expand(item, { filePath: file, maxBufferedArchiveBytes: db.length - 1 });
    expect(result.items).toEqual([]);
    expect(result.coverage.map((c) => c.detail)).toEqual([expect.stringMatching(/^maxBufferedArchiveBytes/)]);
  });

  it('maxEntries bounds the BLOB members and CSV parts', async () => {
    const result = await expand(memoryItem('many.sqlite', await capturesDb()), { maxEntries: 2 });
    expect(result.items.length).toBe(2);
    expect(result.coverage.map((c) => c.detail)).toEqual([expect.stringMatching(/^maxEntries \(2\)/)]);
  });

  it('a WAL-mode database is read from a copy: no -wal, -shm or -journal appears in the tree', async () => {
    const db = Buffer.from(await capturesDb());
    db[18] = 2;
    db[19] = 2;
    const { item, file } = await fileItem(dir, 'wal.sqlite', db);
    const before = (await readdir(dir)).sort();
    const result = await expand(item, { filePath: file });
    expect(result.coverage).toEqual([]);
    expect(result.bytes.get('wal.sqlite!/table/captures')?.toString()).toContain(plates[0]);
    expect((await readdir(dir)).sort()).toEqual(before);
  });
});

function readsParquet(): Buffer {
  return buildParquet(
    [
      { name: 'plate', data: plates, type: 'STRING' },
      { name: 'note', data: plates.map(() => 'same text again and again '.repeat(20)), type: 'STRING' },
    ],
    { rowGroupSize: 100 },
  );
}

describe('hostile Parquet', () => {
  it('truncated (footer cut, or a row group cut): corrupt-archive, no crash', async () => {
    const file = readsParquet();
    for (const cut of [file.subarray(0, file.length - 3), Buffer.concat([file.subarray(0, 200), file.subarray(file.length - 2000)])]) {
      const result = await expand(memoryItem('cut.parquet', cut));
      expect(result.coverage.map((c) => [c.reason, c.incomplete])).toContainEqual(['corrupt-archive', true]);
    }
  });

  it('a footer length past the file: corrupt-archive', async () => {
    const file = Buffer.from(readsParquet());
    file.writeUInt32LE(0x7fffffff, file.length - 8);
    const result = await expand(memoryItem('lies.parquet', file));
    expect(result.coverage.map((c) => c.reason)).toEqual(['corrupt-archive']);
  });

  it('a row group declaring more than maxCompressionRatio allows is refused before decoding (archive-limit)', async () => {
    const result = await expand(memoryItem('bomb.parquet', readsParquet()), { maxCompressionRatio: 2, ratioCheckMinBytes: 100 });
    expect(result.coverage.map((c) => c.detail)).toEqual([expect.stringMatching(/^maxCompressionRatio \(2\) exceeded: row group 1 declares/)]);
  });

  it('encrypted footer (PARE): encrypted, incomplete', async () => {
    const file = Buffer.from(readsParquet());
    file.write('PARE', file.length - 4, 'latin1');
    const result = await expand(memoryItem('secret.parquet', file));
    expect(result.coverage.map((c) => [c.reason, c.incomplete])).toEqual([['encrypted', true]]);
  });

  it('deep nesting: Parquet files in binary cells stop at maxDepth', async () => {
    let inner: Buffer = Buffer.from('x'.repeat(100));
    for (let i = 0; i < 6; i++) inner = buildParquet([{ name: 'blob', data: [inner], type: 'BYTE_ARRAY' }]);
    const result = await expand(memoryItem('d.parquet', inner), { maxDepth: 3 });
    expect(result.coverage.map((c) => c.detail)).toEqual([expect.stringMatching(/^maxDepth \(3\)/)]);
  });

  it('from a path, only the footer and row groups are read: the plates come out whole', async () => {
    const { item, file } = await fileItem(dir, 'reads.parquet', readsParquet());
    const result = await expand(item, { filePath: file });
    expect(result.coverage).toEqual([]);
    const rows = result.bytes.get('reads.parquet!/rows')?.toString() ?? '';
    expect(rows.split('\n').length).toBe(plates.length + 2);
  });
});
