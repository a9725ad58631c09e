import type { RandomAccessContainer } from './format.js';
import { ascii } from './magic.js';
import { expandSqlite } from './sqlite-tables.js';

/**
 * A SQLite database (any file starting with its 16-byte header: .sqlite, .db, app data, browser
 * stores): every ordinary table as a CSV member, every BLOB cell as a member. Read by sql.js, SQLite
 * itself compiled to WebAssembly, from a copy in memory: it needs the whole file, through the walk's
 * random-access path, counted against maxBufferedArchiveBytes.
 */
export const sqliteFormat: RandomAccessContainer<'application/vnd.sqlite3'> = {
  id: 'sqlite',
  media: 'application/vnd.sqlite3',
  magic: (head) => ascii(head, 0, 'SQLite format 3\0'),
  randomAccess: true,
  limits: ['maxDepth', 'maxTotalBytes', 'maxEntries', 'maxMemberBufferBytes', 'maxBufferedArchiveBytes'],
  // Besides container-timeout, which depends on the time the reading took, not on the bytes.
  reasons: ['corrupt-archive'],
  open: (input, level, walk) => expandSqlite(input, level, walk),
};
