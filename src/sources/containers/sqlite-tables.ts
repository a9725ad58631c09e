import { createRequire } from 'node:module';
import type { Database, SqlJsStatic, SqlValue } from 'sql.js';
import { lazy } from '../../util/lazy.js';
import { coverageEvent } from '../archives/errors.js';
import { holdWhole } from '../archives/hold-whole.js';
import type { Level, Walk } from '../archives/walk.js';
import type { SourceEvent } from '../item.js';
import type { RandomAccessInput } from './format.js';
import { CsvParts, MemberBudget, ReadClock } from './table-members.js';

/** Reading time per query (one table's rows): past it the table is coverage, never a hang. */
export const SQLITE_QUERY_MS = 30_000;
/** BLOBs shorter than this cannot be an image or an archive: valid UTF-8 ones are cells of the CSV. */
const SMALL_BLOB_BYTES = 64;

// sql.js (SQLite compiled to WebAssembly) is loaded on first use; its .wasm is found beside its entry.
const loadSqlJs = lazy<SqlJsStatic>(async () => {
  const require = createRequire(import.meta.url);
  const wasm = require.resolve('sql.js/dist/sql-wasm.wasm');
  const init = (await import('sql.js')).default;
  return init({ locateFile: () => wasm });
});

interface Table {
  name: string;
  /** Columns stored in the file (virtual generated columns excluded: they are code, not data). */
  columns: string[];
}

const quoteName = (name: string): string => `"${name.replaceAll('"', '""')}"`;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Opens a SQLite database and yields its tables: each as a CSV member (`db.sqlite!/table/captures`,
 * its column names as header, TEXT and numeric cells as values) and each BLOB cell as a member
 * (`db.sqlite!/table/captures/rowid-12/image`).
 *
 * The database can do nothing but be read: sql.js works on a copy of the bytes in WebAssembly memory,
 * so no journal or WAL side file can reach the audited tree, and it has no extension loading; custody
 * runs only its own SELECTs of stored columns of ordinary tables (no views, no virtual tables, no
 * virtual generated columns: those would run code the file chose), never ATTACH, and each query is
 * held to {@link SQLITE_QUERY_MS}.
 */
export async function* expandSqlite(input: RandomAccessInput, level: Level, walk: Walk): AsyncGenerator<SourceEvent> {
  const held = await holdWhole(input, level.location, walk, 'database');
  if ('kind' in held) return yield held;
  let db: Database | undefined;
  try {
    let tables: Table[];
    try {
      const SQL = await loadSqlJs();
      db = new SQL.Database(rollbackJournalMode(held.bytes));
      tables = listTables(db);
    } catch (error) {
      return yield corrupt(level, error);
    }
    const budget = new MemberBudget(level, walk);
    for (const table of tables) {
      if (budget.stopped || walk.stopped) return;
      yield* readTable(db, table, level, walk, budget);
    }
  } finally {
    db?.close();
    held.release();
  }
}

/**
 * A database in WAL mode (header bytes 18-19 = 2) would make SQLite look for a -wal file and shared
 * memory; its main file alone is what custody was given, read as a rollback-journal database (a copy:
 * the bytes of the audited file are never changed). What only its -wal file holds is that file's own
 * item.
 */
function rollbackJournalMode(bytes: Buffer): Uint8Array {
  if (bytes[18] !== 2 && bytes[19] !== 2) return bytes;
  const copy = Uint8Array.from(bytes);
  copy[18] = 1;
  copy[19] = 1;
  return copy;
}

function listTables(db: Database): Table[] {
  const names: string[] = [];
  const listed = db.exec("SELECT name, sql FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name");
  for (const [name, sql] of listed[0]?.values ?? []) {
    if (typeof name === 'string' && !/^\s*create\s+virtual\b/i.test(String(sql ?? ''))) names.push(name);
  }
  return names.map((name) => {
    // table_xinfo's `hidden`: 0 ordinary, 3 stored generated (data in the file), 2 virtual generated.
    const info = db.exec(`SELECT name, hidden FROM pragma_table_xinfo(${quoteSqlString(name)})`);
    const columns = (info[0]?.values ?? []).filter(([, hidden]) => hidden === 0 || hidden === 3).map(([column]) => String(column));
    return { name, columns };
  });
}

const quoteSqlString = (text: string): string => `'${text.replaceAll("'", "''")}'`;

async function* readTable(db: Database, table: Table, level: Level, walk: Walk, budget: MemberBudget): AsyncGenerator<SourceEvent> {
  const base = `table/${table.name}`;
  if (table.columns.length === 0) return;
  const parts = new CsvParts(base, table.columns, walk.options.maxMemberBufferBytes);
  const clock = new ReadClock(SQLITE_QUERY_MS);
  const list = table.columns.map(quoteName).join(', ');
  let statement;
  let rowids = true;
  try {
    try {
      statement = db.prepare(`SELECT _rowid_, ${list} FROM ${quoteName(table.name)}`);
    } catch {
      // WITHOUT ROWID tables have no rowid: rows are then named by their position.
      rowids = false;
      statement = db.prepare(`SELECT ${list} FROM ${quoteName(table.name)}`);
    }
    for (let row = 1; ; row++) {
      const values = clock.time(() => (statement!.step() ? statement!.get() : undefined));
      if (!values) break;
      if (clock.expired) {
        yield timedOut(level, table.name, row);
        break;
      }
      const id = rowids ? `rowid-${String(values.shift())}` : `row-${row}`;
      const cells: string[] = [];
      for (const [i, value] of values.entries()) {
        const text = cellText(value);
        cells.push(text ?? '');
        if (text === undefined && value instanceof Uint8Array) yield* budget.member(`${base}/${id}/${table.columns[i]}`, Buffer.from(value));
      }
      const full = parts.add(cells);
      if (full) yield* budget.member(full.name, full.bytes);
      if (budget.stopped || walk.stopped) return;
    }
  } catch (error) {
    yield corrupt(level, error, table.name);
  } finally {
    statement?.free();
  }
  const last = parts.flush();
  if (last) yield* budget.member(last.name, last.bytes);
}

/** A cell as CSV text; undefined for a BLOB that is a member of its own (or empty). */
function cellText(value: SqlValue): string | undefined {
  if (value === null) return '';
  if (!(value instanceof Uint8Array)) return String(value);
  if (value.length === 0 || value.length >= SMALL_BLOB_BYTES) return undefined;
  try {
    return utf8.decode(value);
  } catch {
    return undefined;
  }
}

function corrupt(level: Level, error: unknown, table?: string): SourceEvent {
  const message = error instanceof Error ? error.message : String(error);
  const where = table === undefined ? 'database' : `table ${JSON.stringify(table)}`;
  return coverageEvent({ location: level.location, reason: 'corrupt-archive', detail: `sqlite: ${where} not read: ${message}`, incomplete: true });
}

function timedOut(level: Level, table: string, row: number): SourceEvent {
  const detail = `sqlite: table ${JSON.stringify(table)} not read past row ${row}: reading took over ${SQLITE_QUERY_MS} ms`;
  return coverageEvent({ location: level.location, reason: 'container-timeout', detail, incomplete: true });
}
