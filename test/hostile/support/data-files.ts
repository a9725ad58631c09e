import { parquetWriteBuffer } from 'hyparquet-writer';
import initSqlJs, { type Database, type SqlValue } from 'sql.js';

/** Builds a SQLite database with sql.js (real SQLite): `setup` runs against an empty one. */
export async function buildSqlite(setup: (db: Database) => void): Promise<Buffer> {
  const SQL = await initSqlJs();
  const db = new SQL.Database();
  try {
    setup(db);
    return Buffer.from(db.export());
  } finally {
    db.close();
  }
}

/** Inserts `rows` into `table` with a prepared statement. */
export function insertRows(db: Database, table: string, columns: readonly string[], rows: readonly SqlValue[][]): void {
  const statement = db.prepare(`INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`);
  for (const row of rows) statement.run(row as SqlValue[]);
  statement.free();
}

/** A column of a Parquet file as hyparquet-writer takes it. */
export interface ParquetColumn {
  name: string;
  data: unknown[];
  type: 'STRING' | 'INT32' | 'INT64' | 'BYTE_ARRAY' | 'BOOLEAN' | 'TIMESTAMP';
}

/** Writes a Parquet file (hyparquet-writer; SNAPPY unless said otherwise). */
export function buildParquet(
  columns: ParquetColumn[],
  options: { codec?: 'SNAPPY' | 'UNCOMPRESSED' | 'LZO'; rowGroupSize?: number; compressors?: Record<string, (input: Uint8Array) => Uint8Array> } = {},
): Buffer {
  const columnData = columns.map((c) => ({ ...c, data: c.data.map((v) => (Buffer.isBuffer(v) ? new Uint8Array(v) : v)) }));
  return Buffer.from(parquetWriteBuffer({ columnData, ...options } as Parameters<typeof parquetWriteBuffer>[0]));
}

/** `count` plates no agency holds, in the agency's shapes (three letters, four digits), seeded. */
export function otherPlates(count: number, seed = 1): string[] {
  const plates: string[] = [];
  let x = seed;
  const next = (n: number): number => {
    x = (x * 1103515245 + 12345) % 2147483648;
    return x % n;
  };
  while (plates.length < count) {
    const letters = Array.from({ length: 3 }, () => String.fromCharCode(65 + next(26))).join('');
    const plate = `${letters}${String(1000 + next(9000))}`;
    if (!['ABC1234', 'XYZ9876', 'KLM4455'].includes(plate)) plates.push(plate);
  }
  return plates;
}
