import { open } from 'node:fs/promises';
import type { AsyncBuffer, RowGroup } from 'hyparquet';
import { openReadOnly } from '../../util/open-read-only.js';
import { coverageEvent, limitCoverage } from '../archives/errors.js';
import type { ResolvedArchiveOptions } from '../archives/options.js';
import type { SourceEvent } from '../item.js';
import type { RandomAccessInput } from './format.js';
import { PARQUET_CODECS } from './parquet-codecs.js';

/**
 * Random access to a Parquet file: by a read-only descriptor on its path (only the footer and the
 * column chunks read are in memory), or the bytes the walk holds.
 */
export async function parquetAsyncBuffer(input: RandomAccessInput): Promise<{ file: AsyncBuffer; close(): Promise<void> }> {
  if ('buffer' in input) {
    const { buffer } = input;
    const slice = (start: number, end?: number): ArrayBuffer => Uint8Array.prototype.slice.call(buffer, start, end).buffer as ArrayBuffer;
    return { file: { byteLength: buffer.length, slice }, close: () => Promise.resolve() };
  }
  const handle = await openReadOnly((flags) => open(input.path, flags), true);
  const { size } = await handle.stat();
  const slice = async (start: number, end = size): Promise<ArrayBuffer> => {
    const from = Math.max(0, Math.min(start, size));
    const bytes = new Uint8Array(Math.max(0, Math.min(end, size) - from));
    let at = 0;
    while (at < bytes.length) {
      const { bytesRead } = await handle.read(bytes, at, bytes.length - at, from + at);
      if (bytesRead === 0) break;
      at += bytesRead;
    }
    return bytes.buffer.slice(0, at);
  };
  return { file: { byteLength: size, slice }, close: () => handle.close() };
}

/**
 * Declared sizes checked before a row group is decoded: its uncompressed bytes against the ratio and
 * maxBufferedArchiveBytes (it is decoded whole), its values (rows x columns, each a JavaScript value)
 * against the ratio too, so a footer declaring a billion rows of nothing is refused up front.
 */
export function refuseGroup(group: RowGroup, index: number, location: string, options: ResolvedArchiveOptions): SourceEvent | undefined {
  const { maxCompressionRatio, ratioCheckMinBytes, maxBufferedArchiveBytes } = options;
  let compressed = 0;
  let uncompressed = 0;
  for (const column of group.columns) {
    const meta = column.meta_data;
    if (!meta) continue;
    if (!PARQUET_CODECS.includes(meta.codec)) {
      const detail = `parquet: row group ${index + 1}, column ${meta.path_in_schema.join('.')} is compressed with ${meta.codec}; not decoded`;
      return coverageEvent({ location: location, reason: 'unsupported-compression', detail, incomplete: true });
    }
    compressed += Number(meta.total_compressed_size);
    uncompressed += Number(meta.total_uncompressed_size);
  }
  const values = Number(group.num_rows) * Math.max(1, group.columns.length);
  const allowed = Math.max(ratioCheckMinBytes, compressed * maxCompressionRatio);
  if (uncompressed > allowed || values > allowed) {
    const detail = `row group ${index + 1} declares ${uncompressed} bytes and ${values} values from ${compressed} compressed bytes`;
    return limitCoverage(location, 'maxCompressionRatio', maxCompressionRatio, detail);
  }
  if (uncompressed > maxBufferedArchiveBytes) {
    return limitCoverage(location, 'maxBufferedArchiveBytes', maxBufferedArchiveBytes, `row group ${index + 1} declares ${uncompressed} bytes`);
  }
  return undefined;
}
