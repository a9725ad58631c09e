import type { Digests, SourceEvent } from '../../item.js';
import { digestKey, HEX_LENGTH, hexOf } from '../digests.js';
import { itemEvent, notice, parseSize, rowCoverage } from '../events.js';
import { guarded } from '../guard.js';
import { readLines } from '../lines.js';
import type { ManifestFormat, ManifestOptions } from '../types.js';

interface Row {
  line: number;
  size: number;
  digests: Digests;
  name: string;
}

/**
 * hashdeep files: `%%%% HASHDEEP-1.0`, then `%%%% size,<algs...>,filename`; `##` comments. Rows are
 * unquoted and unescaped, so commas past the hash columns belong to the name, and a newline in a
 * name continues the record on the next line (joined back here).
 */
export const hashdeep: ManifestFormat = {
  id: 'hashdeep',
  title: 'hashdeep file',
  detect(head) {
    return head
      .subarray(0, 32)
      .toString('latin1')
      .replace(/^\uFEFF|^\xEF\xBB\xBF/, '')
      .startsWith('%%%% HASHDEEP-');
  },
  read(path: string, opts: ManifestOptions) {
    return guarded(path, 'manifest-unreadable', readHashdeep(path), opts.signal);
  },
};

async function* readHashdeep(path: string): AsyncGenerator<SourceEvent> {
  let columns: string[] | undefined;
  let pending: Row | undefined;
  let joined = 0;
  for await (const { text, line, overlong } of readLines(path)) {
    if (overlong) {
      yield rowCoverage(path, line, 'line longer than the 1 MiB cap');
      continue;
    }
    if (text.startsWith('%%%%')) {
      const spec = text.slice(4).trim();
      if (!spec.startsWith('HASHDEEP-')) columns = spec.split(',').map((c) => c.trim().toLowerCase());
      continue;
    }
    if (text.startsWith('##') || text === '') continue;
    if (columns === undefined) {
      yield rowCoverage(path, line, 'row before the %%%% column header');
      continue;
    }
    const row = parseRow(text, line, columns);
    if (typeof row === 'object') {
      if (pending) yield toItem(pending);
      pending = row;
    } else if (pending && text.split(',').length < columns.length) {
      // Too few fields to be a row of its own: the rest of a name that held a newline.
      pending.name += `\n${text}`;
      joined += 1;
    } else {
      yield rowCoverage(path, line, row);
    }
  }
  if (pending) yield toItem(pending);
  if (joined > 0) {
    yield notice(path, 'info', `${joined} unparseable line(s) taken as the rest of a file name containing a newline`);
  }
}

function parseRow(text: string, line: number, columns: string[]): Row | string {
  const fields = text.split(',');
  if (fields.length < columns.length) return `expected ${columns.length} comma-separated fields`;
  // Extra commas belong to the file name, which hashdeep always writes last.
  const name = fields.slice(columns.length - 1).join(',');
  const row: Row = { line, size: -1, digests: {}, name };
  for (let i = 0; i < columns.length - 1; i++) {
    const col = columns[i]!;
    const value = fields[i]!;
    if (col === 'size') {
      const size = parseSize(value);
      if (size === undefined) return `bad size "${value.slice(0, 20)}"`;
      row.size = size;
      continue;
    }
    const length = HEX_LENGTH[col];
    const hex = length === undefined ? (/^[0-9a-fA-F]+$/.test(value) ? value : undefined) : hexOf(value, length);
    if (hex === undefined) return `bad ${col} digest`;
    const key = digestKey(col);
    if (key !== undefined) row.digests[key] = hex.toLowerCase();
  }
  if (name === '') return 'empty file name';
  return row;
}

function toItem(row: Row): SourceEvent {
  const hasDigest = Object.keys(row.digests).length > 0;
  return itemEvent({
    location: row.name,
    size: row.size,
    ...(hasDigest ? { digests: row.digests } : { opaqueDigest: 'no md5/sha1/sha256 column in manifest' }),
  });
}
