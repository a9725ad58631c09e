import { isText } from '../text-encoding.js';
import type { RandomAccessContainer } from './format.js';
import { ascii } from './magic.js';
import { expandParquet } from './parquet-rows.js';

/**
 * Apache Parquet (data lake exports, S3 Inventory reports delivered as Parquet): its rows as CSV
 * members, binary cells as members. Read by hyparquet (pure JavaScript) from the footer; it needs
 * random access: by path, only the footer and the row group being read are in memory.
 */
export const parquetFormat: RandomAccessContainer<'application/vnd.apache.parquet'> = {
  id: 'parquet',
  media: 'application/vnd.apache.parquet',
  // "PAR1" at both ends; the head alone is checked, and a text head starting so stays text.
  magic: (head) => ascii(head, 0, 'PAR1') && !isText(head),
  randomAccess: true,
  limits: ['maxDepth', 'maxTotalBytes', 'maxEntries', 'maxCompressionRatio', 'ratioCheckMinBytes', 'maxMemberBufferBytes', 'maxBufferedArchiveBytes'],
  // Besides container-timeout, which depends on the time the reading took, not on the bytes.
  reasons: ['corrupt-archive', 'encrypted', 'unsupported-compression'],
  open: (input, level, walk) => expandParquet(input, level, walk),
};
