/** PDF LZW (codes of 9-12 bits, MSB first, EarlyChange 1, clear when the table is full), as old scanners wrote it. */
export function lzw(input: Buffer): Buffer {
  const out: number[] = [];
  let acc = 0;
  let held = 0;
  let bits = 9;
  let next = 258;
  const emit = (code: number) => {
    if (next >= 1 << bits && bits < 12) bits++;
    acc = (acc << bits) | code;
    held += bits;
    while (held >= 8) {
      out.push((acc >>> (held - 8)) & 0xff);
      held -= 8;
    }
    acc &= (1 << held) - 1;
  };
  let table = new Map<number, number>();
  emit(256);
  // The current word as its code (a byte is its own code); -1 before the first byte.
  let word = -1;
  for (const byte of input) {
    if (word < 0) {
      word = byte;
      continue;
    }
    const grown = table.get(word * 256 + byte);
    if (grown !== undefined) {
      word = grown;
      continue;
    }
    emit(word);
    table.set(word * 256 + byte, next++);
    word = byte;
    if (next === 4095) {
      emit(256);
      table = new Map();
      bits = 9;
      next = 258;
    }
  }
  if (word >= 0) emit(word);
  emit(257);
  if (held > 0) out.push((acc << (8 - held)) & 0xff);
  return Buffer.from(out);
}
