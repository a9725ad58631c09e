import { Transform, type TransformCallback } from 'node:stream';

const BLOCK = 512;
/** Types whose size GNU tar (1.34) ignores when extracting: hard and symbolic links, devices, directories, FIFOs. */
const SIZE_IGNORED = new Set(['1', '2', '3', '4', '5', '6']);

/**
 * Makes tar-stream read a tar as GNU tar extracts it. A link, device, directory or FIFO header may
 * declare a size; `tar -x` ignores it and reads the next block as a header, so whatever hides in that
 * "data" (a whole member: `hidden.csv`) is extracted, while tar-stream would skip it. This filter
 * sets such sizes to 0 (checksum recomputed) and, in the blocks the size covered, drops blocks that
 * are not headers, as GNU tar does ("Skipping to next header"). `onIgnoredSize` hears of each one.
 */
export function gnuExtractView(onIgnoredSize: (name: string, size: number) => void): Transform {
  let pending: Buffer = Buffer.alloc(0);
  /** Data blocks still to pass before the next header. */
  let dataBlocks = 0;
  /** Blocks left in a region GNU tar reads as headers although a size said data. */
  let lenient = 0;
  return new Transform({
    transform(this: Transform, chunk: Buffer, _encoding, callback: TransformCallback) {
      pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
      const whole = pending.length - (pending.length % BLOCK);
      const out: Buffer[] = [];
      let at = 0;
      while (at < whole) {
        if (dataBlocks > 0) {
          // Data passes through in one piece, up to what this chunk holds.
          const blocks = Math.min(dataBlocks, (whole - at) / BLOCK);
          out.push(pending.subarray(at, at + blocks * BLOCK));
          dataBlocks -= blocks;
          lenient = Math.max(0, lenient - blocks);
          at += blocks * BLOCK;
          continue;
        }
        const block = pending.subarray(at, at + BLOCK);
        at += BLOCK;
        const fromLenient = lenient > 0;
        if (lenient > 0) lenient--;
        if (!validHeader(block)) {
          if (!fromLenient) out.push(block);
          continue;
        }
        const type = String.fromCharCode(block[156]!);
        const size = sizeOf(block);
        if (SIZE_IGNORED.has(type) && size > 0) {
          onIgnoredSize(nameOf(block), size);
          const rewritten = Buffer.from(block);
          rewritten.write('00000000000\0', 124, 12, 'latin1');
          writeChecksum(rewritten);
          out.push(rewritten);
          lenient = Math.ceil(size / BLOCK);
          continue;
        }
        out.push(block);
        dataBlocks = Math.ceil(size / BLOCK);
      }
      pending = pending.subarray(whole);
      for (const piece of out) this.push(piece);
      callback();
    },
    flush(callback: TransformCallback) {
      callback(null, pending.length > 0 ? pending : undefined);
    },
  });
}

function checksumOf(block: Buffer): number {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : block[i]!;
  return sum;
}

function validHeader(block: Buffer): boolean {
  const stored = parseInt(
    block
      .toString('latin1', 148, 156)
      .replace(/[\0 ]+$/, '')
      .trim(),
    8,
  );
  return Number.isFinite(stored) && stored === checksumOf(block) && stored !== 8 * 0x20;
}

function writeChecksum(block: Buffer): void {
  block.write(`${checksumOf(block).toString(8).padStart(6, '0')}\0 `, 148, 8, 'latin1');
}

/** Octal, or base-256 (first byte 0x80) for sizes past 8 GiB. */
function sizeOf(block: Buffer): number {
  if (block[124]! & 0x80) {
    let value = 0;
    for (let i = 125; i < 136; i++) value = value * 256 + block[i]!;
    return value;
  }
  const text = block
    .toString('latin1', 124, 136)
    .replace(/[\0 ]+$/, '')
    .trim();
  return text === '' ? 0 : parseInt(text, 8) || 0;
}

function nameOf(block: Buffer): string {
  const field = (from: number, to: number): string => {
    const end = block.indexOf(0, from);
    return block.toString('utf8', from, end < 0 || end > to ? to : end);
  };
  const prefix = block.toString('latin1', 257, 262) === 'ustar' ? field(345, 500) : '';
  const name = field(0, 100);
  return prefix ? `${prefix}/${name}` : name;
}
