/**
 * How many bytes a PDF LZWDecode stream decodes to, counted without decoding it: each code's string
 * length follows from its prefix's (a dictionary entry is a prefix plus one byte), so a bomb (LZW
 * reaches about 2,700:1 on zeros) is measured in the time it takes to read its codes, holding 4,096
 * numbers. PDF's LZW: codes of 9 to 12 bits, most significant bit first, 256 clears the table, 257
 * ends the data, and the code width grows one code early (EarlyChange 1, the default).
 */
export function lzwDecodedLength(data: Buffer, cap: number): number | 'over' {
  const lengths = new Uint16Array(4096);
  let bits = 9;
  let next = 258;
  let previous = -1;
  let total = 0;
  let buffer = 0;
  let held = 0;
  let at = 0;
  for (;;) {
    while (held < bits && at < data.length) {
      buffer = ((buffer << 8) | data[at++]!) & 0xffffff;
      held += 8;
    }
    if (held < bits) return total;
    const code = (buffer >>> (held - bits)) & ((1 << bits) - 1);
    held -= bits;
    if (code === 256) {
      bits = 9;
      next = 258;
      previous = -1;
      continue;
    }
    if (code === 257) return total;
    let length: number;
    if (code < 256) length = 1;
    else if (code < next) length = lengths[code]!;
    else if (code === next && previous >= 0) length = previous + 1;
    else return total; // not a code the table can hold: the reader stops here too
    if (previous >= 0 && next < 4096) lengths[next++] = Math.min(previous + 1, 0xffff);
    total += length;
    if (total > cap) return 'over';
    previous = length;
    if (next + 1 >= 1 << bits && bits < 12) bits++;
  }
}

const LZW = /\/LZWDecode\b|\/LZW\b/;
/** A `/Filter` value: a name, an array, or an indirect reference (`/Filter 12 0 R`). */
const FILTER = /\/Filter\s*(\[[^\]]*\]|\d+\s+\d+\s+R\b|\/[^\s/[\]<>()]*)/;
const REFERENCE = /(\d+)\s+(\d+)\s+R\b/g;
/** References followed from one `/Filter` (an object holding a reference to another, ...). */
const MAX_HOPS = 4;
/** How far into an object its value is read: a filter name or array is a few dozen bytes. */
const OBJECT_PEEK = 4096;

/** How a stream's dictionary names its filter: LZW, something else, or through an object the scan cannot find. */
export type LzwNaming = 'lzw' | 'other' | 'unresolved';

/**
 * Tells whether a stream is LZW from the dictionary just before `streamAt` (back to its object's
 * `obj`). pdf.js and pdf-lib both resolve a filter given by reference (`/Filter 12 0 R`, or a reference
 * inside the array), so the scan does too, through `objects`; a reference it cannot find in the file's
 * bytes (an object inside a compressed object stream, or none) is `unresolved`, never read as "not LZW".
 */
export function namesLzw(pdf: Buffer, streamAt: number, objects: ObjectIndex): LzwNaming {
  const from = Math.max(0, streamAt - OBJECT_PEEK);
  const head = pdf.toString('latin1', from, streamAt);
  const object = head.lastIndexOf('obj');
  const filter = FILTER.exec(object >= 0 ? head.slice(object) : head)?.[1];
  return filter === undefined ? 'other' : resolveFilter(filter, objects, []);
}

/** `value` names LZW, or refers (through at most MAX_HOPS objects, `chain` the ones followed so far) to an object that does. */
function resolveFilter(value: string, objects: ObjectIndex, chain: readonly string[]): LzwNaming {
  if (LZW.test(value)) return 'lzw';
  let unresolved = false;
  for (const [, number, generation] of value.matchAll(REFERENCE)) {
    const named = resolveObject(`${Number(number)} ${Number(generation)}`, objects, chain);
    if (named === 'lzw') return 'lzw';
    if (named === 'unresolved') unresolved = true;
  }
  return unresolved ? 'unresolved' : 'other';
}

/**
 * What object `key` names, once per document: an object's body (4 KiB) holds hundreds of references,
 * so following each of them afresh at every hop made a 4 KB file of one object referring to itself
 * 600 times cost 600^3 lookups per stream (minutes of CPU, in one synchronous call). A loop, or a
 * chain past MAX_HOPS, is unresolved; so is every object on the way to it, whatever path reaches
 * it later: never read as "not LZW".
 */
function resolveObject(key: string, objects: ObjectIndex, chain: readonly string[]): LzwNaming {
  const known = objects.namings.get(key);
  if (known) return known;
  if (chain.length >= MAX_HOPS || chain.includes(key)) return 'unresolved';
  const body = objects.body(key);
  const named = body === undefined ? 'unresolved' : resolveFilter(body, objects, [...chain, key]);
  objects.namings.set(key, named);
  return named;
}

/**
 * The file's indirect objects by number, found by their bytes (`12 0 obj`) in one pass the first time a
 * filter is given by reference; the last definition wins, as in a file's later revisions.
 */
export class ObjectIndex {
  private starts: Map<string, number> | undefined;
  /** What each object resolved to as a filter (resolveObject), so that each is followed once. */
  readonly namings = new Map<string, LzwNaming>();
  constructor(private readonly pdf: Buffer) {}

  /** The start of object `key` ("12 0"), up to its `endobj` or OBJECT_PEEK bytes. */
  body(key: string): string | undefined {
    if (!this.starts) {
      this.starts = new Map();
      for (const match of this.pdf.toString('latin1').matchAll(/(?<![0-9])(\d+)\s+(\d+)\s+obj\b/g)) {
        this.starts.set(`${Number(match[1])} ${Number(match[2])}`, match.index + match[0].length);
      }
    }
    const start = this.starts.get(key.replace(/\d+/g, (n) => String(Number(n))));
    if (start === undefined) return undefined;
    const text = this.pdf.toString('latin1', start, start + OBJECT_PEEK);
    const end = text.indexOf('endobj');
    return end < 0 ? text : text.slice(0, end);
  }
}
