import type { Digests, SourceEvent } from '../../item.js';
import { algorithmForHexLength, digestKey, HEX_LENGTH, isHex, normaliseAlgorithm } from '../digests.js';
import { itemEvent, notice, rowCoverage } from '../events.js';
import { guarded } from '../guard.js';
import { readHead } from '../head.js';
import { readLines } from '../lines.js';
import { type ManifestFormat, type ManifestOptions, UNKNOWN_SIZE } from '../types.js';

/** `SHA256 (name) = hex` (coreutils --tag, BSD md5/sha tools). */
const BSD = /^([A-Za-z0-9-]+) \((.*)\) = ([0-9a-fA-F]*)$/s;
/** `hex  name` / `hex *name`; rclone prints blanks in place of a missing hash. */
const GNU = /^([0-9a-fA-F]{32,128}| {32}| {40}| {64}) ([ *])(.*)$/s;
/** md5deep/sha256deep -z: right-aligned size, two spaces, hex, two spaces, name. */
const SIZED = /^ *(\d+) {2}([0-9a-fA-F]{32,128}) {2}(.*)$/s;

interface Row {
  line: number;
  name: string;
  hex: string;
  /** Algorithm named by a BSD tag; otherwise inferred from the hex length. */
  tag?: string;
  size?: number;
  /** Only rows written without escaping can be continued by an unescaped newline (md5deep). */
  joinable: boolean;
}

/**
 * Longest name that unparseable lines may extend by continuation (PATH_MAX). A row followed by
 * millions of lines that are not rows must not grow one name without bound.
 */
const MAX_JOINED_NAME = 4096;

/**
 * GNU coreutils `sha256sum`/`md5sum`/`sha1sum`, perl `shasum`, `--tag` (BSD) form, `-z`
 * NUL-terminated form, md5deep/sha256deep (plain and `-z` sized) and rclone `md5sum`/`sha1sum`.
 * Names are located as written: escaped lines (leading `\`) are unescaped, a leading `./` dropped.
 */
export const checksumList: ManifestFormat = {
  id: 'checksum-list',
  title: 'Checksum list (sha256sum/md5sum/shasum, BSD tag, md5deep, rclone md5sum)',
  detect(head) {
    const nul = isNulTerminated(head);
    const first = head
      .toString('utf8')
      .split(nul ? '\0' : '\n')
      .find((l) => l.trim() !== '');
    if (first === undefined) return false;
    return parseLine(first.replace(/\r$/, '').replace(/^\uFEFF/, ''), 1, nul) !== undefined;
  },
  read(path: string, opts: ManifestOptions) {
    return guarded(path, 'manifest-unreadable', readChecksumList(path), opts.signal);
  },
};

/** `-z` output: text with NUL record ends (a name may still hold a newline, so NUL decides). */
function isNulTerminated(head: Buffer): boolean {
  return head.includes(0);
}

async function* readChecksumList(path: string): AsyncGenerator<SourceEvent> {
  const nul = isNulTerminated(await readHead(path, 4096));
  let pending: Row | undefined;
  let joined = 0;
  for await (const { text, line, overlong } of readLines(path, { separator: nul ? '\0' : '\n' })) {
    if (overlong) {
      if (pending) yield* present(toItem(pending, path));
      pending = undefined;
      yield* present(rowCoverage(path, line, 'line longer than the 1 MiB cap'));
      continue;
    }
    if (text.trim() === '') continue;
    const row = parseLine(text, line, nul);
    if (typeof row === 'object') {
      if (pending) yield* present(toItem(pending, path));
      pending = row;
    } else if (row === undefined && pending?.joinable && !looksLikeRow(text) && pending.name.length + text.length < MAX_JOINED_NAME) {
      // md5deep and rclone do not escape names: a newline in a name splits the record in two.
      pending.name += `\n${text}`;
      joined += 1;
    } else {
      if (pending) yield* present(toItem(pending, path));
      pending = undefined;
      yield* present(rowCoverage(path, line, row ?? 'not a checksum line'));
    }
  }
  if (pending) yield* present(toItem(pending, path));
  if (joined > 0) {
    yield notice(path, 'info', `${joined} unparseable line(s) taken as the rest of an unescaped name containing a newline`);
  }
}

function* present(event: SourceEvent | undefined): Generator<SourceEvent> {
  if (event) yield event;
}

/** A line that tries to be a record (hash-like start, BSD tag, escape) is never a name's continuation. */
function looksLikeRow(text: string): boolean {
  return text.startsWith('\\') || /^(?: *\d+ {2})?[0-9a-fA-F]{16,}[ *]/.test(text) || /^[A-Za-z0-9-]+ \(/.test(text);
}

/** A row, an error message for an escaped line that is malformed, or undefined for "not a row". */
function parseLine(raw: string, line: number, nul: boolean): Row | string | undefined {
  const escaped = !nul && raw.startsWith('\\');
  const text = escaped ? raw.slice(1) : raw;
  let m = BSD.exec(text);
  if (m) return finish({ line, tag: m[1]!, name: m[2]!, hex: m[3]!, joinable: false }, escaped);
  m = SIZED.exec(text);
  if (m) return finish({ line, size: Number(m[1]), hex: m[2]!, name: m[3]!, joinable: !nul }, false);
  m = GNU.exec(text);
  if (m) return finish({ line, hex: m[1]!, name: m[3]!, joinable: !nul && !escaped }, escaped);
  return undefined;
}

function finish(row: Row, escaped: boolean): Row | string {
  if (escaped) {
    const name = unescapeName(row.name);
    if (name === undefined) return 'bad backslash escape in name';
    row.name = name;
  }
  if (row.name === '') return 'empty file name';
  if (row.name.startsWith('./')) row.name = row.name.slice(2);
  return row;
}

/** coreutils escaping: `\\`, `\n`, `\r` only; anything else is malformed. */
function unescapeName(name: string): string | undefined {
  let bad = false;
  const out = name.replace(/\\(.?)/gs, (_, c: string) => {
    if (c === '\\') return '\\';
    if (c === 'n') return '\n';
    if (c === 'r') return '\r';
    bad = true;
    return '';
  });
  return bad ? undefined : out;
}

/** The row's item, or its coverage (the registry keeps malformed rows bounded: row-problems.ts). */
function toItem(row: Row, path: string): SourceEvent | undefined {
  const size = row.size ?? UNKNOWN_SIZE;
  if (row.hex.trim() === '') return itemEvent({ location: row.name, size, opaqueDigest: 'no hash in manifest' });
  const alg = row.tag !== undefined ? normaliseAlgorithm(row.tag) : (algorithmForHexLength(row.hex.length) ?? 'unknown');
  const expected = HEX_LENGTH[alg];
  if (!isHex(row.hex) || (expected !== undefined && expected !== row.hex.length)) {
    return rowCoverage(path, row.line, `${alg} digest has ${row.hex.length} hex digits`);
  }
  const key = digestKey(alg);
  if (key === undefined) {
    return itemEvent({ location: row.name, size, opaqueDigest: `unsupported hash algorithm (${alg === 'unknown' ? `${row.hex.length} hex digits` : alg})` });
  }
  const digests: Digests = { [key]: row.hex.toLowerCase() };
  return itemEvent({ location: row.name, size, digests });
}
