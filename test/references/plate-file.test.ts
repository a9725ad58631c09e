import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { open, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFingerprintSet } from '../../src/fingerprint/write-set.js';
import { agencyPlateMatcher } from '../../src/identify/plates/agency-matcher.js';
import { plateDigest, plateKeyId } from '../../src/identify/plates/key.js';
import { PlateMatcher, plateShapes } from '../../src/identify/plates/matcher.js';
import { scanPlates } from '../../src/identify/plates/scan.js';
import { PlateScanPool } from '../../src/identify/plates/scan-pool.js';
import { loadFingerprintFile, loadFingerprints, PLATES_IN_MEMORY } from '../../src/references/load.js';
import type { FingerprintFile } from '../../src/references/schema.js';
import { readStore } from '../../src/references/store-read.js';
import { InputError } from '../../src/util/errors.js';
import { writeGuard } from '../../src/util/safe-write.js';
import { csvText, makePlates, prng } from '../identify/plates/generate.js';
import { tempDir } from '../support/tmp.js';
import { footerOf, reseal } from './support/reseal.js';
import { syntheticFile } from './support/synthetic.js';

/**
 * A store's plate digests left in its file (plate-file.ts): the loader keeps a compact table, a
 * match is confirmed from the file, and every answer equals the whole table's.
 */
const KEY = Buffer.from('plate-file-test-key-0123456789abcdef');
const AGENCY = makePlates(400, 41);
const OTHERS = makePlates(400, 42, new Set(AGENCY));
/** A plate that is not the agency's, whose digest the store holds with only its last byte changed. */
const NEAR = OTHERS[0]!;
const near = (() => {
  const bytes = Buffer.from(plateDigest(KEY, NEAR), 'hex');
  bytes[31] = bytes[31]! ^ 0x01;
  return bytes.toString('hex');
})();
const ALL = [...AGENCY.map((p) => plateDigest(KEY, p)), near];
const LEAVE = { platesInMemoryUpTo: 0 };

function withPlates(digests: string[]): FingerprintFile {
  const file = syntheticFile(3);
  return {
    ...file,
    plates: {
      ...file.plates!,
      keyId: plateKeyId(KEY),
      digests: [...digests].sort(),
      shapes: plateShapes(AGENCY),
      sources: [{ id: 'reads.csv', column: 'plate', rows: digests.length }],
    },
  };
}

describe('plate digests left in the store file', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let file: string;
  let bytes: Buffer;

  beforeAll(async () => {
    ({ dir, cleanup } = await tempDir('custody-plate-file-'));
    await writeFingerprintSet(withPlates(ALL), 'v2', { guard: await writeGuard(dir, []), cwd: dir, path: 'agency.cfs' });
    file = path.join(dir, 'agency.cfs');
    bytes = await readFile(file);
  });
  afterAll(() => cleanup());

  it('keeps 2 bytes a digest and answers every plate as the whole table does', async () => {
    const left = await readStore(file, LEAVE);
    const whole = await readStore(file);
    expect(left.plateFile?.count).toBe(ALL.length);
    expect(left.columns.plateDigests.length).toBe(0);
    expect(left.footer.counts.plates).toBe(ALL.length);
    expect(left.footer.digest).toBe(whole.footer.digest);
    expect(whole.plateFile).toBeUndefined();
    const fromFile = PlateMatcher.fromFile(KEY, left.plateFile!, plateShapes(AGENCY));
    const inMemory = new PlateMatcher(KEY, [whole.columns.plateDigests], plateShapes(AGENCY));
    const answers = (m: PlateMatcher) => [...AGENCY, ...OTHERS].map((p) => m.matchText(p));
    expect(answers(fromFile)).toEqual(answers(inMemory));
    expect(answers(fromFile).filter((i) => i >= 0)).toHaveLength(AGENCY.length);
  });

  it('does not take a digest that agrees only in its first bytes for a hit', async () => {
    const left = (await readStore(file, LEAVE)).plateFile!;
    // The near digest is in the compact table under the plate's own bucket and tag...
    const digest = Buffer.from(plateDigest(KEY, NEAR), 'hex');
    const index = ALL.slice().sort().indexOf(near);
    expect(left.tags[index]).toBe(digest.readUInt16BE(4));
    // ...and still no hit: the file's 32 bytes differ.
    expect(PlateMatcher.fromFile(KEY, left).matchText(NEAR)).toBe(-1);
  });

  it('loads through the audit path: the index and its matcher use the file', async () => {
    const loaded = await loadFingerprintFile(file, LEAVE);
    expect(loaded.plateFile?.count).toBe(ALL.length);
    expect(() => loaded.file).toThrow(/plate digests were left in the file/);
    const { FingerprintIndex } = await import('../../src/references/index-set.js');
    const index = new FingerprintIndex([loaded]);
    expect(index.plateSets[0]?.count).toBe(ALL.length);
    const matcher = agencyPlateMatcher(index, KEY)!;
    expect(matcher.size).toBe(ALL.length);
    expect(AGENCY.every((p) => matcher.matchText(p) >= 0)).toBe(true);
  });

  it('refuses a store whose digest section is damaged, or resealed out of order', async () => {
    const section = footerOf(bytes).sections['plateDigests']!;
    const probe = path.join(dir, 'probe.cfs');
    const reason = async (edited: Buffer) => {
      await writeFile(probe, edited);
      const error = await readStore(probe, LEAVE).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(InputError);
      return (error as Error).message;
    };
    for (const at of [0, 5, 40, section.length - 1]) {
      const edited = Buffer.from(bytes);
      edited[section.offset + at] = edited[section.offset + at]! ^ 0x10;
      // Refused by the digest, or first by the order check when the flip unsorts the digests.
      expect(await reason(edited)).toMatch(/digest does not match its content|column plateDigests holds an invalid value/);
    }
    // Two digests swapped, every checksum recomputed: the order check refuses it (the chunk's second).
    const swapped = reseal(
      bytes,
      () => {},
      (body) => {
        const first = Buffer.from(body.subarray(section.offset, section.offset + 32));
        body.copy(body, section.offset, section.offset + 32, section.offset + 64);
        first.copy(body, section.offset + 32);
      },
    );
    expect(await reason(swapped)).toMatch(/plateDigests holds an invalid value at 1/);
  });

  it('refuses to confirm from a store file changed after it was loaded', async () => {
    const copy = path.join(dir, 'changing.cfs');
    await writeFile(copy, bytes);
    const matcher = PlateMatcher.fromFile(KEY, (await readStore(copy, LEAVE)).plateFile!);
    const later = new Date(Date.now() + 5000);
    await utimes(copy, later, later);
    expect(() => matcher.matchText(AGENCY[0]!)).toThrow(/changed after it was loaded/);
  });

  it('refuses a store rewritten in place with its modification time set back', async () => {
    const copy = path.join(dir, 'rewritten.cfs');
    await writeFile(copy, bytes);
    // A whole second, which utimes can set back exactly.
    await utimes(copy, 1_700_000_000, 1_700_000_000);
    const matcher = PlateMatcher.fromFile(KEY, (await readStore(copy, LEAVE)).plateFile!);
    const before = await stat(copy);
    // The same size, the same inode, the same mtime: only the change time tells.
    await new Promise((resolve) => setTimeout(resolve, 20));
    const handle = await open(copy, 'r+');
    const section = footerOf(bytes).sections['plateDigests']!;
    await handle.write(Buffer.alloc(32, 0xee), 0, 32, section.offset);
    await handle.close();
    await utimes(copy, 1_700_000_000, 1_700_000_000);
    const after = await stat(copy);
    expect(after.mtimeMs).toBe(before.mtimeMs);
    expect(after.ctimeMs).not.toBe(before.ctimeMs);
    expect(() => matcher.matchText(AGENCY[0]!)).toThrow(/changed after it was loaded/);
  });

  it('refuses, in one line and without blocking, a store deleted or replaced by a FIFO after it was loaded', async () => {
    const copy = path.join(dir, 'swapped.cfs');
    await writeFile(copy, bytes);
    const gone = PlateMatcher.fromFile(KEY, (await readStore(copy, LEAVE)).plateFile!);
    const fifo = PlateMatcher.fromFile(KEY, (await readStore(copy, LEAVE)).plateFile!);
    await rm(copy);
    expect(() => gone.matchText(AGENCY[0]!)).toThrow(InputError);
    expect(() => gone.matchText(AGENCY[1]!)).toThrow(/could not be opened again after it was loaded \(ENOENT\)/);
    // A FIFO opened for reading blocks until a writer comes, unless opened non-blocking.
    execFileSync('mkfifo', [copy]);
    try {
      expect(() => fifo.matchText(AGENCY[0]!)).toThrow(/changed after it was loaded/);
    } finally {
      await rm(copy);
    }
  });

  it('reads a section of several chunks, the next read in flight, to the same table; refuses disorder in any chunk', async () => {
    // 300,000 digests: 9.6 MB, three of the loader's 4 MiB reads, each hashed and tagged while the
    // next is read. Out of order in the first read, across the first boundary and in the last, it
    // is refused by the digest's place, with no read left to fail unhandled.
    const count = 300_000;
    const pool = randomBytes(count * 32).toString('hex');
    const digests = Array.from({ length: count }, (_, i) => pool.slice(i * 64, i * 64 + 64)).sort();
    await writeFingerprintSet(withPlates(digests), 'v2', { guard: await writeGuard(dir, []), cwd: dir, path: 'chunks.cfs' });
    const many = path.join(dir, 'chunks.cfs');
    const left = (await readStore(many, LEAVE)).plateFile!;
    const whole = await readStore(many);
    expect(left.count).toBe(count);
    const tags = Array.from({ length: count }, (_, i) => Buffer.from(digests[i]!, 'hex').readUInt16BE(4));
    expect([...left.tags]).toEqual(tags);
    const fromFile = PlateMatcher.fromFile(KEY, left, plateShapes(AGENCY));
    const inMemory = new PlateMatcher(KEY, [whole.columns.plateDigests], plateShapes(AGENCY));
    expect(AGENCY.map((p) => fromFile.matchText(p))).toEqual(AGENCY.map((p) => inMemory.matchText(p)));
    const chunk = (4 * 1024 * 1024) / 32;
    const manyBytes = await readFile(many);
    const section = footerOf(manyBytes).sections['plateDigests']!;
    for (const at of [10, chunk - 1, count - 2]) {
      const swapped = reseal(
        manyBytes,
        () => {},
        (body) => {
          const a = section.offset + at * 32;
          const first = Buffer.from(body.subarray(a, a + 32));
          body.copy(body, a, a + 32, a + 64);
          first.copy(body, a + 32);
        },
      );
      await writeFile(path.join(dir, 'swapped.cfs'), swapped);
      await expect(readStore(path.join(dir, 'swapped.cfs'), LEAVE)).rejects.toThrow(new RegExp(`plateDigests holds an invalid value at ${at + 1}$`));
    }
    await rm(path.join(dir, 'swapped.cfs'));
    await rm(many);
  });

  it("leaves a single store's digests in its file on an audit's load past 16 MiB, in every share of a split", async () => {
    // One digest past PLATES_IN_MEMORY, and exactly at it: random digests stand in for plates.
    const past = PLATES_IN_MEMORY / 32 + 1;
    const pool = randomBytes(past * 32).toString('hex');
    const digests = Array.from({ length: past }, (_, i) => pool.slice(i * 64, i * 64 + 64));
    for (const [name, count, left] of [
      ['past.cfs', past, true],
      ['at.cfs', past - 1, false],
    ] as const) {
      await writeFingerprintSet(withPlates(digests.slice(0, count)), 'v2', { guard: await writeGuard(dir, []), cwd: dir, path: name });
      const index = await loadFingerprints([path.join(dir, name)]);
      expect(index.plateSets[0]?.count).toBe(count);
      expect(index.plateSets[0]?.file !== undefined).toBe(left);
      const share = await loadFingerprints([path.join(dir, name)], { split: { index: 2, count: 2 } });
      expect(share.plateSets[0]?.file !== undefined).toBe(left);
      expect(share.plateSets[0]?.count).toBe(count);
      await rm(path.join(dir, name));
    }
  });

  it('scans on a worker thread exactly as on this one', async () => {
    const left = (await readStore(file, LEAVE)).plateFile!;
    const matcher = PlateMatcher.fromFile(KEY, left, plateShapes(AGENCY));
    const inMemory = new PlateMatcher(KEY, [(await readStore(file)).columns.plateDigests], plateShapes(AGENCY));
    const text = csvText([...AGENCY.slice(0, 50), ...OTHERS.slice(0, 200)], prng(7));
    const pool = new PlateScanPool(matcher, 2);
    try {
      // Two at once: one runs on this thread, the other on the pool's thread.
      const [a, b] = await Promise.all([pool.scan(chunks(text)), pool.scan(chunks(text))]);
      const here = await scanPlates(chunks(text), inMemory);
      expect(here.records).toBe(50);
      expect(a).toEqual(here);
      expect(b).toEqual(here);
    } finally {
      await pool.close();
    }
  });
});

async function* chunks(text: string): AsyncGenerator<Buffer> {
  const bytes = Buffer.from(text);
  for (let at = 0; at < bytes.length; at += 4096) yield bytes.subarray(at, at + 4096);
}
