// @ts-check
/**
 * Cheap content for the benchmark tree: office-like text, small logs, plate-record files of any
 * size (streamed), random binaries, and byte-level JPEG variation. Everything here is fast on
 * purpose: the tree has tens of thousands of files and must be generated in minutes on two cores.
 */
import { randomFillSync } from 'node:crypto';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { rng } from '../synth/prng.js';

/** @typedef {import('../synth/prng.js').Rng} Rng */

const WORDS = (
  'contract lane camera delivery schedule invoice maintenance border crossing report quarterly ' +
  'vendor firmware calibration review meeting minutes action item network storage backup retention ' +
  'policy access control ticket incident resolved pending approved draft final summary analysis budget'
).split(' ');

/**
 * Prose-like text of about `bytes` bytes.
 * @param {Rng} r
 * @param {number} bytes
 */
export function prose(r, bytes) {
  const parts = [];
  let size = 0;
  while (size < bytes) {
    const n = r.int(6, 18);
    const words = [];
    for (let i = 0; i < n; i++) words.push(r.pick(WORDS));
    const line = `${words.join(' ')}.\n`;
    parts.push(line);
    size += line.length;
  }
  return parts.join('');
}

/**
 * A small service log; `plates` (may be empty) are mentioned in a few lines.
 * @param {Rng} r
 * @param {number} lines
 * @param {readonly string[]} plates
 */
export function smallLog(r, lines, plates) {
  const out = [];
  let t = Date.parse('2026-10-01T00:00:00Z') + r.int(0, 2_000_000) * 1000;
  for (let i = 0; i < lines; i++) {
    t += r.int(1, 300) * 1000;
    const stamp = new Date(t).toISOString();
    if (plates.length > 0 && r.next() < 0.2) out.push(`${stamp} INFO lane=${r.int(1, 4)} event=read plate=${r.pick(plates)} conf=0.${r.int(80, 99)}`);
    else out.push(`${stamp} INFO svc=${r.pick(WORDS)} latency_ms=${r.int(2, 400)} status=ok`);
  }
  return `${out.join('\n')}\n`;
}

/**
 * Streams a large plate-record file (CSV with a header, or a gateway log) of about `bytes` bytes.
 * One row in `agencyEvery` carries an agency plate, the others plates from `other`.
 * @param {string} file
 * @param {{ seed: number, bytes: number, kind: 'csv' | 'log', agency: readonly string[], other: readonly string[], agencyEvery: number }} spec
 * @returns {Promise<number>} bytes written
 */
export async function writeRecordFile(file, { seed, bytes, kind, agency, other, agencyEvery }) {
  const r = rng(seed);
  const out = createWriteStream(file);
  let written = 0;
  let row = 0;
  let t = Date.parse('2026-10-01T00:00:00Z');
  let chunk = kind === 'csv' ? 'read_id,captured_at,lane,camera,plate,confidence\n' : '';
  while (written + chunk.length < bytes) {
    while (chunk.length < 1 << 20) {
      row += 1;
      t += r.int(1, 20) * 1000;
      const plate = row % agencyEvery === 0 ? r.pick(agency) : r.pick(other);
      const stamp = new Date(t).toISOString();
      const lane = r.int(1, 4);
      chunk +=
        kind === 'csv'
          ? `RD-${row},${stamp},${lane},L${lane}-C0${r.int(1, 9)},${plate},0.${r.int(80, 99)}\n`
          : `${stamp} INFO gateway lane=${lane} event=read plate=${plate} conf=0.${r.int(80, 99)} batch=${r.int(1000, 9999)}\n`;
    }
    written += chunk.length;
    if (!out.write(chunk)) await once(out, 'drain');
    chunk = '';
  }
  out.end(chunk);
  await once(out, 'finish');
  return written + chunk.length;
}

/**
 * Writes `bytes` of random data fast (randomFillSync on a reused 16 MiB buffer).
 * @param {string} file
 * @param {number} bytes
 */
export async function writeRandomFile(file, bytes) {
  const out = createWriteStream(file);
  const buffer = Buffer.allocUnsafe(16 << 20);
  for (let left = bytes; left > 0; ) {
    const n = Math.min(left, buffer.length);
    randomFillSync(buffer, 0, n);
    // A copy, since the buffer is refilled before the stream may have flushed it.
    if (!out.write(Buffer.from(buffer.subarray(0, n)))) await once(out, 'drain');
    left -= n;
  }
  out.end();
  await once(out, 'finish');
}

/**
 * The same JPEG with a comment segment (COM, 0xFFFE) after SOI: different bytes and digests,
 * identical pixels, like the copies an editor or a sync tool leaves behind.
 * @param {Buffer} jpeg
 * @param {string} comment
 */
export function withJpegComment(jpeg, comment) {
  if (jpeg[0] !== 0xff || jpeg[1] !== 0xd8) throw new RangeError('not a JPEG');
  const text = Buffer.from(comment, 'latin1');
  const segment = Buffer.alloc(4);
  segment.writeUInt16BE(0xfffe, 0);
  segment.writeUInt16BE(text.length + 2, 2);
  return Buffer.concat([jpeg.subarray(0, 2), segment, text, jpeg.subarray(2)]);
}

/**
 * Random bytes of a given size, seeded (small files only).
 * @param {Rng} r
 * @param {number} size
 */
export function smallRandom(r, size) {
  const buffer = Buffer.allocUnsafe(size);
  for (let i = 0; i < size; i += 4) buffer.writeUInt32LE((r.next() * 4294967296) >>> 0, Math.min(i, size - 4));
  return buffer;
}
