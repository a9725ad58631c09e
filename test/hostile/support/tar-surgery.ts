/** A ustar header of any type, declaring `size` whatever the type (a link or device may claim data). */
export function tarHeader(name: string, type: string, size: number, linkname = ''): Buffer {
  const h = Buffer.alloc(512);
  const put = (text: string, at: number, length: number) => h.write(text.slice(0, length), at, length, 'latin1');
  const octal = (n: number, at: number, length: number) => put(`${n.toString(8).padStart(length - 1, '0')}\0`, at, length);
  put(name, 0, 100);
  octal(0o644, 100, 8);
  octal(0, 108, 8);
  octal(0, 116, 8);
  octal(size, 124, 12);
  octal(1_700_000_000, 136, 12);
  h.fill(0x20, 148, 156);
  put(type, 156, 1);
  put(linkname, 157, 100);
  put('ustar\u000000', 257, 8);
  octal(0, 329, 8);
  octal(0, 337, 8);
  let sum = 0;
  for (const byte of h) sum += byte;
  put(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 8);
  return h;
}

const padded = (data: Buffer): Buffer => Buffer.concat([data, Buffer.alloc((512 - (data.length % 512)) % 512)]);

/** A regular member: header and padded data. */
export const tarFile = (name: string, data: Buffer): Buffer => Buffer.concat([tarHeader(name, '0', data.length), padded(data)]);

/**
 * A tar where a member of `type` (hard link '1', symlink '2', devices '3'/'4', directory '5', FIFO
 * '6') declares as its size a whole hidden member (`hidden`), which GNU tar extracts: `tar -x`
 * ignores the size of these types and reads the next block as a header.
 */
export function tarHidingBehind(type: string, hidden: Buffer): Buffer {
  return Buffer.concat([
    tarFile('target.txt', Buffer.from('hello\n')),
    tarHeader(`m-${type}`, type, hidden.length, type === '1' || type === '2' ? 'target.txt' : ''),
    padded(hidden),
    tarFile('after.txt', Buffer.from('after\n')),
    Buffer.alloc(1024),
  ]);
}
