import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFingerprintSet } from '../../src/fingerprint/write-set.js';
import { loadFingerprintFile } from '../../src/references/load.js';
import { storeChunks } from '../../src/references/store-write.js';
import { InputError } from '../../src/util/errors.js';
import { writeGuard } from '../../src/util/safe-write.js';
import { REPO_ROOT, tempDir } from '../support/tmp.js';
import { type Footer, footerOf, reseal } from './support/reseal.js';
import { syntheticFile } from './support/synthetic.js';

const BIN = path.join(REPO_ROOT, 'bin', 'custody.js');

/** The one-line reason loading `bytes` as a store gives, or undefined when it loads. */
async function refusal(dir: string, bytes: Buffer): Promise<string | undefined> {
  const file = path.join(dir, 'probe.cfs');
  await writeFile(file, bytes);
  try {
    await loadFingerprintFile(file);
    return undefined;
  } catch (error) {
    // Anything but an InputError (a RangeError from a typed array, a zod throw) is the bug looked for.
    if (!(error instanceof InputError)) throw error;
    expect(error.message.split('\n')).toHaveLength(1);
    expect(error.message.startsWith(`${file}: `)).toBe(true);
    return error.message.slice(file.length + 2);
  }
}

describe('fingerprint store v2: a tampered or damaged store is refused in one line', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let store: Buffer;

  beforeAll(async () => {
    ({ dir, cleanup } = await tempDir('custody-store-tamper-'));
    await writeFingerprintSet(syntheticFile(4), 'v2', { guard: await writeGuard(dir, []), cwd: dir, path: 'agency.cfs' });
    store = await readFile(path.join(dir, 'agency.cfs'));
  });
  afterAll(() => cleanup());

  it('loads as written (the probes below start from a sound store)', async () => {
    expect(await refusal(dir, store)).toBeUndefined();
  });

  it('refuses a flipped bit in every byte: head, sections, padding, footer (createdAt too), trailer', async () => {
    const accepted: number[] = [];
    for (let at = 0; at < store.length; at++) {
      const bytes = Buffer.from(store);
      bytes[at] = bytes[at]! ^ 0x01;
      if ((await refusal(dir, bytes)) === undefined) accepted.push(at);
    }
    expect(accepted).toEqual([]);
  });

  it('refuses truncations anywhere: every length in the head and the last 200 bytes, every 7th between', async () => {
    for (let length = 0; length < store.length; length += length < 64 || length > store.length - 200 ? 1 : 7)
      expect(await refusal(dir, store.subarray(0, length)), `truncated to ${length}`).toBeDefined();
  });

  it.each([
    ['wrong magic at the end', (b: Buffer) => b.write('NOTASTOR', b.length - 8, 'latin1'), /no trailer at its end/],
    ['wrong magic at the start', (b: Buffer) => b.write('NOTASTOR', 0, 'latin1'), /wrong magic at the start/],
    ['a future version', (b: Buffer) => b.writeUInt32LE(3, b.length - 44), /format version 3 is newer than this custody reads \(2\)/],
    ['a version 0', (b: Buffer) => b.writeUInt32LE(0, b.length - 44), /format version 0 is not one custody reads/],
    ['a footer offset past the end', (b: Buffer) => b.writeBigUInt64LE(2n ** 63n, b.length - 56), /trailer points outside the file/],
    ['a flipped content byte', (b: Buffer) => (b[100] = b[100]! ^ 0xff), /digest does not match its content/],
  ])('%s', async (_name, edit, reason) => {
    const bytes = Buffer.from(store);
    edit(bytes);
    expect(await refusal(dir, bytes)).toMatch(reason);
  });

  it('says what a file that is neither JSON nor a store is', async () => {
    expect(await refusal(dir, Buffer.from('PK\u0003\u0004 not a fingerprint file at all'))).toBe(
      'not a custody fingerprint file (neither JSON nor a fingerprint store)',
    );
  });

  // A crafted store whose digests all match: only the reader's bounds and value checks stand.
  it.each([
    ['a section out of bounds', (f: Footer) => (f.sections.sha256!.offset = 1 << 30), () => {}, /section sha256 is out of bounds/],
    ['a misaligned section', (f: Footer) => (f.sections.sizes!.offset += 4), () => {}, /section sizes is out of bounds/],
    ['a count the sections do not hold', (f: Footer) => (f.counts.references += 1), () => {}, /out of bounds/],
    ['a class index past the table', (f: Footer) => (f.classes = []), () => {}, /column classes holds an invalid value at 0/],
    ['a variant index past the table', (f: Footer) => (f.variants = ['full']), () => {}, /column viewVariant holds an invalid value/],
    ['a previous footer past this one', (f: Footer) => (f.previous = { offset: 1 << 30, length: 40 }), () => {}, /names a previous footer outside the file/],
    ['a previous footer where there is none', (f: Footer) => (f.previous = { offset: 8, length: 40 }), () => {}, /no trailer at its end/],
    ['a previous that is not a footer span', (f: Footer) => (f.previous = 8), () => {}, /footer is not valid: previous/],
    ['a footer field unknown to this version', (f: Footer) => (f.extra = 1), () => {}, /footer is not valid/],
    [
      'a capture time no Date holds',
      () => {},
      (b: Buffer, f: Footer) => b.writeDoubleLE(1e300, f.sections.capturedAt!.offset),
      /column capturedAt holds an invalid value at 0/,
    ],
    [
      'an id offset past the id bytes',
      () => {},
      (b: Buffer, f: Footer) => b.writeUInt32LE(0xffffffff, f.sections.idOffsets!.offset + 4),
      /column idOffsets holds an invalid value/,
    ],
    ['a quality over 100', () => {}, (b: Buffer, f: Footer) => (b[f.sections.viewQuality!.offset] = 200), /column viewQuality holds an invalid value at 0/],
    ['plate digests without their plate set (key id, sources)', (f: Footer) => delete f.plates, () => {}, /plate digests but no plate set/],
  ])('refuses %s, even with matching digests', async (_name, editFooter, editBody, reason) => {
    const footer = footerOf(store);
    expect(
      await refusal(
        dir,
        reseal(store, editFooter, (body) => editBody(body, footer)),
      ),
    ).toMatch(reason);
  });
});

describe('fingerprint store v2 through the spawned CLI', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    ({ dir, cleanup } = await tempDir('custody-store-cli-'));
    await writeFingerprintSet(syntheticFile(4), 'v2', { guard: await writeGuard(dir, []), cwd: dir, path: 'agency.cfs' });
    const store = await readFile(path.join(dir, 'agency.cfs'));
    const edits: Record<string, (b: Buffer) => void> = {
      'flipped.cfs': (b) => (b[200] = b[200]! ^ 0x10),
      'magic.cfs': (b) => b.write('XXXXXXXX', 0, 'latin1'),
      'future.cfs': (b) => b.writeUInt32LE(9, b.length - 44),
    };
    for (const [name, edit] of Object.entries(edits)) {
      const bytes = Buffer.from(store);
      edit(bytes);
      await writeFile(path.join(dir, name), bytes);
    }
    await writeFile(path.join(dir, 'truncated.cfs'), store.subarray(0, store.length - 30));
  });
  afterAll(() => cleanup());

  it('audits with a store whose references a small heap cannot hold as objects (columns only), and refuses in one line to convert it', async () => {
    const views = ['full', 'crop:5,5,5,5', 'tile:0,0', 'tile:1,1', 'tile:2,2', 'tile:0,2', 'tile:2,0', 'tile:1,0', 'tile:0,1'];
    const hex = (n: number, bytes: number) =>
      (n >>> 0)
        .toString(16)
        .padStart(8, '0')
        .repeat(bytes / 4);
    const chunks = storeChunks(
      function* () {
        for (let i = 0; i < 60_000; i++)
          yield {
            id: `r/${String(i).padStart(6, '0')}.jpg`,
            class: 'agency-image',
            size: 100 + i,
            sha256: hex(i, 32),
            md5: hex(i, 16),
            media: 'image/jpeg',
            pdq: views.map((variant, v) => ({ hash: hex(i * 9 + v, 32), quality: 80, variant })),
          };
      },
      undefined,
      { tool: { name: 'custody', version: 'test' }, createdAt: '2026-12-01T00:00:00.000Z', roots: [] },
    );
    await mkdir(path.join(dir, 'big'), { recursive: true });
    await writeFile(path.join(dir, 'big/big.cfs'), Buffer.concat([...chunks]));
    await writeFile(path.join(dir, 'big/a.txt'), 'nothing agency here\n');
    const env = { NODE_OPTIONS: '--max-old-space-size=64' };
    // An audit reads the columns: 60,000 references with 9 views each need no object per reference.
    const audit = await execa('node', [BIN, 'audit', 'a.txt', '--fingerprints', 'big.cfs', '--authorized', 'x/**', '--no-cache', '--format', 'json'], {
      cwd: path.join(dir, 'big'),
      reject: false,
      env,
    });
    expect(audit.stderr).toBe('');
    expect(audit.exitCode).toBe(0);
    expect(JSON.parse(audit.stdout).fingerprints[0].references).toBe(60_000);
    // Converting to v1 JSON needs every reference as an object: refused in one line, not an abort.
    const convert = await execa('node', [BIN, 'fingerprint', 'convert', 'big.cfs', '--out', 'big.fp.json'], { cwd: path.join(dir, 'big'), reject: false, env });
    expect(convert.exitCode).toBe(2);
    expect(convert.stderr).toMatch(
      /^custody: .*big\.cfs: fingerprint store of 60000 references, as objects, needs about \d+ MiB of memory to load.*max-old-space-size=\d+\)$/,
    );
  });

  it.each([
    ['flipped.cfs', /digest does not match its content/],
    ['magic.cfs', /wrong magic at the start/],
    ['future.cfs', /format version 9 is newer/],
    ['truncated.cfs', /no trailer at its end/],
  ])('audit --fingerprints %s: exit 2, one line naming the file', async (name, reason) => {
    const result = await execa('node', [BIN, 'audit', '.', '--fingerprints', name, '--authorized', 'x/**', '--no-cache'], { cwd: dir, reject: false });
    expect(result.exitCode).toBe(2);
    expect(result.stdout).toBe('');
    const lines = result.stderr.split('\n').filter((l) => l !== '');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^custody: .*${name}: `));
    expect(lines[0]).toMatch(reason);
  });
});
