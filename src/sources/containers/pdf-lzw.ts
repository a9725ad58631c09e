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

/** True when the dictionary just before `streamAt` (back to its object's `obj`) names the LZW filter. */
export function namesLzw(pdf: Buffer, streamAt: number): boolean {
  const from = Math.max(0, streamAt - 4096);
  const head = pdf.toString('latin1', from, streamAt);
  const object = head.lastIndexOf('obj');
  return LZW.test(object >= 0 ? head.slice(object) : head);
}
