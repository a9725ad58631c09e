// @ts-check
/**
 * Agency-scale fingerprint stores for `npm run bench:scale` (issue #17): a real reference set plus
 * millions of synthetic references, or its plate set plus millions of synthetic plate digests,
 * written streaming with the store writer (dist/references/store-write.js) and cached under
 * bench/work/references/ by generator version, seed, size and the real set's digest.
 *
 * Synthetic references, all seeded and derived from their index alone (the writer walks the
 * references once per column, so each must be made again identically, and 10 million objects
 * are never held):
 *   - the first half are near-misses of a real image reference: every view of the real one with
 *     the same 36-80 random bits flipped, as the next capture of the same lane would differ, so the
 *     views of one synthetic capture stay consistent with each other (full, crops, tiles);
 *   - the second half are uniform random hashes in the same view layout;
 *   - random SHA-256 and MD5; sizes and classes drawn from the real image references, so the
 *     exact-match size prefilter passes for image-sized files, as it does at agency scale;
 *   - ids `zz-distractors/derived/<n>.jpg` then `zz-distractors/uniform/<n>.jpg`, after every real id.
 */
import { createHash } from 'node:crypto';
import { createWriteStream, existsSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { rng } from '../synth/prng.js';

/** Bump when the generated references or digests change, so cached stores are rebuilt. */
export const GENERATOR = 1;
export const DISTRACTOR_PREFIX = 'zz-distractors/';
const META = { tool: { name: /** @type {const} */ ('custody'), version: 'bench' }, createdAt: '2026-12-01T00:00:00.000Z', roots: ['agency'] };
const MIN_FLIPS = 36;
const MAX_FLIPS = 80;
// Salts of the independent values drawn for one synthetic reference.
const SALT = { base: 1, size: 2, class: 3, sha256: 4, md5: 5, flips: 6, pattern: 7, uniform: 8, plate: 9 };

/** 32 random bits for (i, salt): a bijective mix of i for each salt, so any value can be made alone. */
export function bits(/** @type {number} */ i, /** @type {number} */ salt) {
  let t = (Math.imul(i, 0x9e3779b1) ^ Math.imul(salt + 1, 0x85ebca77)) >>> 0;
  t = Math.imul(t ^ (t >>> 16), 0x7feb352d);
  t = Math.imul(t ^ (t >>> 15), 0x846ca68b);
  return (t ^ (t >>> 16)) >>> 0;
}

/** `out` filled with random bytes for (i, salt), 4 at a time; returns it. */
function fill(/** @type {Buffer} */ out, /** @type {number} */ i, /** @type {number} */ salt) {
  for (let at = 0; at < out.length; at += 4) out.writeUInt32LE(bits(i, salt * 64 + at / 4), at);
  return out;
}

/**
 * One synthetic reference at a time (a flyweight): the writer consumes each reference before it
 * asks for the next and keeps nothing of it, so one object is moved along the indexes, and each
 * field is made only when the writer's current column reads it (the view hashes, the bulk of the
 * work, only in the viewHash column).
 */
class Synthetic {
  /**
   * @param {import('../../src/references/schema.js').Reference[]} images real references with PDQ views
   * @param {number} derivedCount
   * @param {number} seed
   * @param {number} digits
   */
  constructor(images, derivedCount, seed, digits) {
    this.images = images;
    this.derivedCount = derivedCount;
    this.salt = (/** @type {number} */ s) => seed * 16 + s;
    this.digits = digits;
    this.i = 0;
    this.base = /** @type {import('../../src/references/schema.js').Reference} */ (images[0]);
    this.scratch = Buffer.alloc(32);
    this.pattern = Buffer.alloc(32);
    this.patternOf = -1;
    this.positions = new Uint8Array(256);
    /** Per real image: its view hashes as bytes, and flyweight views whose hash reads this object. */
    this.layouts = images.map((image) =>
      (image.pdq ?? []).map((view, v) => {
        const self = this;
        const bytes = Buffer.from(view.hash, 'hex');
        return { quality: view.quality, variant: view.variant, get hash() { return self.viewHash(v, bytes); } };
      }),
    );
    this.pdq = this.layouts[0] ?? [];
  }

  /** Moves to synthetic reference i. */
  at(/** @type {number} */ i) {
    this.i = i;
    const pick = bits(i, this.salt(this.derived ? SALT.base : SALT.class)) % this.images.length;
    this.base = /** @type {import('../../src/references/schema.js').Reference} */ (this.images[pick]);
    this.pdq = /** @type {any[]} */ (this.layouts[pick]);
    return this;
  }

  get derived() {
    return this.i < this.derivedCount;
  }

  get id() {
    return `${DISTRACTOR_PREFIX}${this.derived ? 'derived' : 'uniform'}/${String(this.i).padStart(this.digits, '0')}.jpg`;
  }

  get class() {
    return this.base.class;
  }

  get media() {
    return this.base.media;
  }

  get size() {
    return /** @type {import('../../src/references/schema.js').Reference} */ (this.images[bits(this.i, this.salt(SALT.size)) % this.images.length]).size;
  }

  get sha256() {
    return fill(this.scratch, this.i, this.salt(SALT.sha256)).toString('hex');
  }

  get md5() {
    return fill(this.scratch, this.i, this.salt(SALT.md5)).toString('hex', 0, 16);
  }

  get capturedAt() {
    return undefined;
  }

  /** View v's hash: the real view XOR this capture's flip pattern, or uniform random bits. */
  viewHash(/** @type {number} */ v, /** @type {Buffer} */ real) {
    if (!this.derived) return fill(this.scratch, this.i * 16 + v, this.salt(SALT.uniform)).toString('hex');
    if (this.patternOf !== this.i) this.makePattern();
    for (let b = 0; b < 32; b++) this.scratch[b] = /** @type {number} */ (real[b]) ^ /** @type {number} */ (this.pattern[b]);
    return this.scratch.toString('hex');
  }

  /** 36-80 distinct bit positions out of 256 (a partial Fisher-Yates shuffle), set in `pattern`. */
  makePattern() {
    const r = rng(bits(this.i, this.salt(SALT.pattern)));
    const flips = MIN_FLIPS + (bits(this.i, this.salt(SALT.flips)) % (MAX_FLIPS - MIN_FLIPS + 1));
    const p = this.positions;
    for (let k = 0; k < 256; k++) p[k] = k;
    this.pattern.fill(0);
    for (let k = 0; k < flips; k++) {
      const j = k + Math.floor(r.next() * (256 - k));
      const chosen = /** @type {number} */ (p[j]);
      p[j] = /** @type {number} */ (p[k]);
      p[k] = chosen;
      this.pattern[chosen >> 3] = /** @type {number} */ (this.pattern[chosen >> 3]) | (1 << (chosen & 7));
    }
    this.patternOf = this.i;
  }
}

/**
 * The real references (unchanged) followed by `count` synthetic ones, as a ReferenceSource.
 * @param {import('../../src/references/schema.js').Reference[]} real sorted by id, as a fingerprint file is
 * @param {number} count
 * @param {number} seed
 */
export function distractorSource(real, count, seed) {
  const images = real.filter((r) => (r.pdq?.length ?? 0) > 0);
  if (images.length === 0) throw new Error('the real reference set has no image with PDQ views to derive distractors from');
  const late = real.find((r) => r.id >= DISTRACTOR_PREFIX);
  if (late) throw new Error(`real reference ${late.id} would not sort before the synthetic ones`);
  const derivedCount = Math.ceil(count / 2);
  const digits = String(Math.max(count - 1, 1)).length;
  return function* () {
    yield* real;
    const synthetic = new Synthetic(images, derivedCount, seed, digits);
    for (let i = 0; i < count; i++) yield synthetic.at(i);
  };
}

/**
 * The real plate set with `total - real` random digests added (sorted and distinct by the writer).
 * @param {import('../../src/references/schema.js').PlateSet} plates
 * @param {number} total
 * @param {number} seed
 */
export function plateSetOf(plates, total, seed) {
  const digests = [...plates.digests];
  const scratch = Buffer.alloc(32);
  for (let i = 0; digests.length < total; i++) digests.push(fill(scratch, i, seed * 16 + SALT.plate).toString('hex'));
  return { ...plates, digests };
}

/**
 * @typedef {object} BuiltStore
 * @property {string} file
 * @property {number} bytes
 * @property {number} seconds time to generate and write it (0 when reused)
 * @property {number} buildSeconds time it took when it was built
 * @property {number} references
 * @property {number} plates
 * @property {boolean} reused
 */

/**
 * The cached store for this real set, kind, size and seed; `build(file)` writes it when missing
 * (in a measured child process). The key includes the real set's digest, so a changed set rebuilds.
 * @param {{ dir: string, kind: 'refs' | 'plates', count: number, seed: number, realDigest: string }} key
 * @param {(file: string) => Promise<{ seconds: number, bytes: number, references: number, plates: number }>} build
 * @returns {Promise<BuiltStore>}
 */
export async function cachedStore({ dir, kind, count, seed, realDigest }, build) {
  const hash = createHash('sha256').update(JSON.stringify({ GENERATOR, kind, count, seed, realDigest })).digest('hex').slice(0, 12);
  const file = path.join(dir, `${kind}-${count}-${hash}.cfs`);
  const done = `${file}.json`;
  if (existsSync(done) && existsSync(file)) {
    const made = JSON.parse(await readFile(done, 'utf8'));
    return { ...made, file, seconds: 0, reused: true };
  }
  await mkdir(dir, { recursive: true });
  const partial = `${file}.partial`;
  const made = await build(partial);
  await rename(partial, file);
  const summary = { bytes: made.bytes, buildSeconds: made.seconds, references: made.references, plates: made.plates };
  await writeFile(done, `${JSON.stringify(summary, null, 2)}\n`);
  return { ...summary, file, seconds: made.seconds, reused: false };
}

/**
 * Writes a store to `file` (in this process: the bench runs it as its own measured child).
 * @param {string} file
 * @param {() => Iterable<any>} references
 * @param {import('../../src/references/schema.js').PlateSet | undefined} plates
 */
export async function writeStoreFile(file, references, plates) {
  const { storeChunks } = await import('../../dist/references/store-write.js');
  /** @type {{ bytes?: number, references?: number }} */
  const summary = {};
  const out = createWriteStream(file);
  const closed = new Promise((resolve, reject) => {
    out.on('close', () => resolve(undefined));
    out.on('error', reject);
  });
  for (const chunk of storeChunks(references, plates, META, summary)) if (!out.write(chunk)) await new Promise((resolve) => out.once('drain', () => resolve(undefined)));
  out.end();
  await closed;
  return { bytes: summary.bytes ?? 0, references: summary.references ?? 0, plates: plates?.digests.length ?? 0 };
}
