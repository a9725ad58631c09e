/**
 * Where base64 may hide a file in text: the first four base64 characters are fixed by the first three
 * bytes, so a run that decodes to an image or archive starts with one of these (JSON writers may
 * escape its slashes: `\/9j\/`). Only such runs are decoded: a text file without one costs one regex
 * pass, and long base64 that is not a file (keys, hashes, tokens) is never decoded.
 */
const STARTS = [
  '(?:\\\\?/)9j(?:\\\\?/)', // JPEG FF D8 FF
  'iVBORw0KGgo', // PNG
  'R0lGOD', // GIF8
  'UklGR', // RIFF (WebP; sniff tells)
  'SUkqA', // TIFF, little-endian
  'TU0AK', // TIFF, big-endian
  'AAAA[A-Za-z0-9+/]{4}eXB', // ISO base media: size, then ftyp and a lower-case brand (HEIF, AVIF, MP4)
  'UEsDB', // zip local header
  'UEsFBg', // empty zip
  'H4sI', // gzip, deflate
  'Qlpo', // bzip2
  'N3q8ryc', // 7z
  '(?:\\\\?/)Td6WFo', // xz
  'KLUv(?:\\\\?/)', // zstd
  'JVBERi0', // %PDF-
  'U1FMaXRlIGZvcm1hdCAz', // SQLite format 3
];

const START = new RegExp(`(?<![A-Za-z0-9+/\\\\])(?:${STARTS.join('|')})`, 'g');

/** The longest start (plus the data URI marker looked at before it) that may straddle two chunks. */
const CARRY = 64;
const UNSEARCHED = 24;
const DATA_URI = ';base64,';

/** Shorter runs are not files worth a member (a 150-byte image is a tracking pixel, not agency data). */
export const MIN_RUN_CHARS = 200;

/** A base64 run that starts like a file: its text (JSON slash escapes and line breaks still in it), or only its length when too long. */
export interface Run {
  /** True when written as a data URI (`data:image/png;base64,...`). */
  dataUri: boolean;
  /** The run's characters, or undefined when it passed `maxChars`. */
  text: string | undefined;
  length: number;
}

const isBase64 = (c: number): boolean =>
  (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || c === 0x2b || c === 0x2f || c === 0x3d;

/** Bytes a run may hold: base64, padding, and the `\\` and line breaks `runEnd` lets through. */
const RUN_BYTE = new Uint8Array(256);
for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=\\\r\n') RUN_BYTE[c.charCodeAt(0)] = 1;

/** How many run bytes follow `from` in direction `step` (at most MIN_RUN_CHARS: that is already enough). */
function runBytes(chunk: Buffer, from: number, step: 1 | -1): number {
  let n = 0;
  for (let i = from; i >= 0 && i < chunk.length && n < MIN_RUN_CHARS && RUN_BYTE[chunk[i]!] === 1; i += step) n++;
  return n;
}

/**
 * True when `chunk` holds MIN_RUN_CHARS run bytes in a row. Boyer-Moore-like: the last byte of a
 * window is looked at first, and a byte that cannot be in a run moves the window past it, so text
 * (a space every few words) costs a read of one byte in a hundred or so.
 */
function hasStretch(chunk: Buffer): boolean {
  let start = 0;
  while (start + MIN_RUN_CHARS <= chunk.length) {
    let j = start + MIN_RUN_CHARS - 1;
    while (j >= start && RUN_BYTE[chunk[j]!] === 1) j--;
    if (j < start) return true;
    start = j + 1;
  }
  return false;
}

/**
 * Watches bytes pass (a detector's read) for a stretch long enough to be a run: when a whole read saw
 * none, the look for embedded files need not read the file again.
 */
export class StretchSpotter {
  private trailing = 0;
  /** True once a stretch of MIN_RUN_CHARS run bytes has passed. */
  seen = false;
  push(chunk: Buffer): void {
    if (this.seen) return;
    const leading = runBytes(chunk, 0, 1);
    this.seen = this.trailing + leading >= MIN_RUN_CHARS || hasStretch(chunk);
    this.trailing = leading === chunk.length ? this.trailing + chunk.length : runBytes(chunk, chunk.length - 1, -1);
  }
}

/** Line widths base64 is wrapped at (MIME 76, PEM 64, base64(1) 76, some 60 or 72 or 128). */
const MIN_WRAP = 40;
const MAX_WRAP = 200;

/** The width of the lines of a run so far: `width` is set by its first line break. */
interface Lines {
  /** Characters since the run's last line break. */
  segment: number;
  width: number | undefined;
}

/**
 * How far a run goes from `from` in `s`: base64 characters and `\/`, and line breaks only where the
 * run is wrapped at a fixed width (a line as long as the first one, of a usual wrap width): two
 * base64-looking lines of a log are two runs, a wrapped base64 block is one.
 */
function runEnd(s: string, from: number, lines: Lines): number {
  let i = from;
  for (; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (isBase64(c)) {
      lines.segment++;
      continue;
    }
    const next = i + 1 < s.length ? s.charCodeAt(i + 1) : -1;
    if (c === 0x5c && (next === 0x2f || next === -1)) continue;
    if (c === 0x0d && (next === 0x0a || next === -1)) continue;
    if (c === 0x0a && wrapsHere(lines) && (next === -1 || isBase64(next))) {
      lines.width ??= lines.segment;
      lines.segment = 0;
      continue;
    }
    break;
  }
  return i;
}

const wrapsHere = ({ segment, width }: Lines): boolean => (width === undefined ? segment >= MIN_WRAP && segment <= MAX_WRAP : segment === width);

/**
 * Finds the runs that start like a file in text fed chunk by chunk (Latin-1: one character per byte,
 * base64 is ASCII), in constant memory besides the run being collected (at most `maxChars`).
 */
export class RunScanner {
  private carry = '';
  /** Where in `carry` a search for starts resumes: before it, it was searched or belongs to a run found. */
  private searchFrom = 0;
  /** Characters a run may hold, ending the bytes pushed so far (see `pushBytes`). */
  private trailing = 0;
  private open: { dataUri: boolean; pieces: string[] | undefined; length: number; lines: Lines } | undefined;

  constructor(private readonly maxChars: number) {}

  /** The runs completed by this chunk (`last`: no more chunks follow). */
  push(chunk: string, last = false): Run[] {
    const runs: Run[] = [];
    let data = chunk;
    let from = 0;
    if (this.open) {
      const end = runEnd(data, 0, this.open.lines);
      this.extend(data.slice(0, end));
      if (end === data.length && !last) return runs;
      runs.push(this.close());
      from = end;
    } else {
      data = this.carry + chunk;
      from = this.searchFrom;
    }
    let consumedTo = from;
    const limit = last ? data.length : data.length - UNSEARCHED;
    START.lastIndex = from;
    for (let match = START.exec(data); match && match.index < limit; match = START.exec(data)) {
      const dataUri = data.slice(match.index - DATA_URI.length, match.index) === DATA_URI;
      const lines: Lines = { segment: 0, width: undefined };
      const end = runEnd(data, match.index, lines);
      this.open = { dataUri, pieces: [], length: 0, lines };
      this.extend(data.slice(match.index, end));
      if (end === data.length && !last) {
        this.carry = '';
        return runs;
      }
      runs.push(this.close());
      START.lastIndex = end;
      consumedTo = end;
    }
    this.carry = last ? '' : data.slice(-CARRY);
    const carryStart = data.length - this.carry.length;
    this.searchFrom = Math.max(consumedTo - carryStart, this.carry.length - UNSEARCHED, 0);
    return runs;
  }

  /**
   * Bytes of a stream: most text holds no stretch of run characters as long as a run must be, and
   * such a chunk is passed over without the regex (which costs about three times a read of the file):
   * only the stretch ending it is kept, where a run may start.
   */
  pushBytes(chunk: Buffer, last = false): Run[] {
    const leading = runBytes(chunk, 0, 1);
    const current = leading === chunk.length ? this.trailing + chunk.length : runBytes(chunk, chunk.length - 1, -1);
    const long = this.trailing + leading >= MIN_RUN_CHARS || hasStretch(chunk);
    this.trailing = current;
    const keep = current + DATA_URI.length + 1;
    if (this.open || long || chunk.length < keep + CARRY) return this.push(chunk.toString('latin1'), last);
    if (last) {
      this.carry = '';
      return [];
    }
    this.carry = chunk.toString('latin1', chunk.length - keep);
    this.searchFrom = keep - current;
    return [];
  }

  private extend(piece: string): void {
    const open = this.open!;
    open.length += piece.length;
    if (open.pieces && open.length <= this.maxChars) open.pieces.push(piece);
    else open.pieces = undefined;
  }

  private close(): Run {
    const { dataUri, pieces, length } = this.open!;
    this.open = undefined;
    return { dataUri, text: pieces?.join(''), length };
  }
}

/** The bytes of a run: JSON slash escapes and line breaks removed, then base64-decoded. */
export const decodeRun = (text: string): Buffer => Buffer.from(text.replace(/[\\\r\n]/g, ''), 'base64');
