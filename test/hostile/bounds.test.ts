import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, truncate, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { execa } from 'execa';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BytePool } from '../../src/identify/decode-budget.js';
import { DEFAULT_DETECT_LIMITS } from '../../src/identify/detector.js';
import { DECODE_LIMITS, decodeImage, decodeImageSource } from '../../src/identify/image-decode.js';
import { metadataDetector } from '../../src/identify/metadata.js';
import { MAX_MARKER_VALUE_CHARS } from '../../src/policy/marker-regex.js';
import { markerPatternProblem } from '../../src/policy/semantics.js';
import type { Report } from '../../src/report/model.js';
import type { Item } from '../../src/sources/item.js';
import { MAX_ROW_PROBLEMS } from '../../src/sources/manifests/row-problems.js';
import { removeTree, SHARED_CORPORA } from '../support/hostile-corpus.js';
import { REPO_ROOT } from '../support/tmp.js';
import { type Agency, buildAgency, PLATE_KEY } from './support/agency.js';
import { runCli, strayStderrLines } from './support/cli.js';
import { jpegDeclaring, pngDeclaring } from './support/images.js';
import { longestProgression, progressiveJpeg, repeatFirstAcScan } from './support/progressive.js';

const LIMITS = { maxImagePixels: DEFAULT_DETECT_LIMITS.maxImagePixels };

let base: string;
let agency: Agency;

beforeAll(async () => {
  base = await mkdtemp(path.join(os.tmpdir(), 'custody-bounds-'));
  agency = await buildAgency(base);
}, 120_000);

afterAll(() => {
  if (base) removeTree(base);
});

describe('image decoding is bounded', () => {
  it('refuses a progressive JPEG whose coefficients exceed the memory limit, from its header', async () => {
    // 10,000 x 10,000 4:4:4 needs 573 MiB of coefficients; before: decoded at ~650 MB RSS.
    const small = await progressiveJpeg(64, 64);
    const result = await decodeImage(jpegDeclaring(small, 10_000, 10_000), LIMITS);
    expect(result).toMatchObject({ ok: false, reason: 'too-large' });
    expect(!result.ok && result.detail).toMatch(/^image-limit: memory \(progressive JPEG of 10000x10000 needs 573 MiB/);
  });

  it('refuses a valid progressive JPEG whose scans would take many seconds, and decodes a smaller one', async () => {
    // 2,648 legal scans, each walking every block of its component. At 5000 x 5000 that is 1.04
    // billion block visits (before: ~18 s of decoding at 17 ns each); at 2000 x 2000, 166 million.
    const big = longestProgression(await progressiveJpeg(5000, 5000), 5000, 5000);
    const refused = await decodeImage(big, LIMITS);
    expect(refused).toMatchObject({ ok: false, reason: 'too-large' });
    expect(!refused.ok && refused.detail).toMatch(/^image-limit: decode time \(progressive JPEG with 2648 scans visiting 1035937500 blocks/);
    const small = longestProgression(await progressiveJpeg(2000, 2000), 2000, 2000);
    expect(await decodeImage(small, LIMITS)).toMatchObject({ ok: true, image: { width: 512, height: 512 } });
  });

  it('refuses a progressive JPEG repeating one scan thousands of times', async () => {
    // 2000 x 2000 has 62,500 luma blocks; 5,000 copies of one AC scan visit 312M blocks (> 256M).
    // (libvips also stops such a file at its first "inconsistent progression" warning.)
    const hostile = repeatFirstAcScan(await progressiveJpeg(2000, 2000), 5000);
    const result = await decodeImage(hostile, LIMITS);
    expect(result).toMatchObject({ ok: false, reason: 'too-large' });
    expect(!result.ok && result.detail).toMatch(/^image-limit: decode time \(progressive JPEG with 50\d\d scans/);
  });

  it('still decodes an ordinary progressive JPEG and a baseline one', async () => {
    for (const bytes of [
      await progressiveJpeg(1200, 900, { noise: 20 }),
      await sharp({ create: { width: 640, height: 480, channels: 3, background: '#446' } })
        .jpeg()
        .toBuffer(),
    ]) {
      const result = await decodeImage(bytes, LIMITS);
      expect(result.ok && [result.image.width, result.image.height]).toEqual([512, 384]);
    }
  });

  it('refuses an interlaced 16-bit PNG whose whole frame exceeds the memory limit', async () => {
    // Interlaced PNG is decoded whole: 10,000 x 10,000 RGBA at 16 bits is 763 MiB, yet within the
    // 100-megapixel limit, so before this it was decoded.
    const png = await sharp({ create: { width: 16, height: 16, channels: 4, background: '#0008' } })
      .toColourspace('rgb16')
      .png({ progressive: true })
      .toBuffer();
    const result = await decodeImage(pngDeclaring(png, 10_000, 10_000), LIMITS);
    expect(result).toMatchObject({ ok: false, reason: 'too-large' });
    expect(!result.ok && result.detail).toMatch(/^image-limit: memory \(png of 10000x10000 needs 763 MiB/);
  });

  it.skipIf(!existsSync(path.join(SHARED_CORPORA, 'exif-samples/heic/IMG_5195.HEIC')))(
    'decodes a valid HEIC (HEVC, which sharp lacks) through libheif, rotated as its irot box says',
    async () => {
      const { readFile } = await import('node:fs/promises');
      const result = await decodeImage(await readFile(path.join(SHARED_CORPORA, 'exif-samples/heic/IMG_5195.HEIC')), LIMITS);
      // before: { reason: 'corrupt', detail: 'source: bad seek to 833316' }; then 'unsupported' (no HEVC decoder)
      expect(result.ok && [result.image.width, result.image.height, result.image.media]).toEqual([397, 512, 'image/heif']);
    },
  );

  it('decodes AVIF (sharp ships an AV1 decoder)', async () => {
    const avif = await sharp({ create: { width: 64, height: 48, channels: 3, background: '#a33' } })
      .avif()
      .toBuffer();
    const result = await decodeImage(avif, LIMITS);
    expect(result.ok && [result.image.width, result.image.height, result.image.media]).toEqual([64, 48, 'image/avif']);
  });

  it('never holds more image bytes for decoding than the input pool at once', async () => {
    const dir = path.join(base, 'sparse');
    await mkdir(dir, { recursive: true });
    const head = await sharp({ create: { width: 32, height: 32, channels: 3, background: '#123' } })
      .jpeg()
      .toBuffer();
    const size = 100 * 2 ** 20; // four of these cannot share a 128 MiB pool
    let reading = 0;
    let most = 0;
    const results = await Promise.all(
      Array.from({ length: 4 }, async (_, i) => {
        const file = path.join(dir, `sparse-${i}.jpg`);
        await writeFile(file, head);
        await truncate(file, size);
        const { readFile } = await import('node:fs/promises');
        return decodeImageSource(
          {
            size,
            readAll: async () => {
              most = Math.max(most, ++reading);
              const bytes = await readFile(file);
              reading--;
              return bytes;
            },
          },
          LIMITS,
        );
      }),
    );
    expect(most).toBe(1);
    expect(results.every((r) => r.ok)).toBe(true); // a JPEG followed by zeros: libjpeg stops at EOI
    expect(DECODE_LIMITS.inputPoolBytes).toBeLessThan(2 * size);
  });
});

describe('BytePool', () => {
  it('admits holders while they fit, in arrival order, and a request larger than the pool alone', async () => {
    const pool = new BytePool(10);
    const log: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const task = (name: string, wait?: Promise<void>) => async () => {
      log.push(`start ${name}`);
      await wait;
      log.push(`end ${name}`);
    };
    const runs = [pool.use(6, task('a', gate)), pool.use(6, task('b')), pool.use(50, task('huge')), pool.use(1, task('c'))];
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(log).toEqual(['start a']); // b does not fit beside a; c waits behind b and huge (no overtaking)
    release();
    await Promise.all(runs);
    expect(log).toEqual(['start a', 'end a', 'start b', 'end b', 'start huge', 'end huge', 'start c', 'end c']);
  });
});

describe('inputs named by flags are refused unless regular files', () => {
  const fingerprintCases: [string, () => Promise<string>, RegExp][] = [
    ['a FIFO', async () => fifo('fp.fifo'), /fingerprint file is a FIFO, not a regular file/],
    ['/dev/zero', async () => '/dev/zero', /fingerprint file is a character device, not a regular file/],
    ['a directory', async () => base, /fingerprint file is a directory, not a regular file/],
  ];
  it.each(fingerprintCases)('--fingerprints %s: exit 2 with one line, without blocking', async (_name, make, message) => {
    const file = await make();
    const result = await runCli(['audit', agency.dir, '-f', file], { cwd: base, env: { CUSTODY_PLATE_KEY: PLATE_KEY } });
    expect(result.exitCode).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(message);
    expect(strayStderrLines(result.stderr)).toEqual([]);
  });

  it('--plate-key-file naming a FIFO or /dev/zero: exit 2 with one line', async () => {
    for (const [file, kind] of [
      [fifo('key.fifo'), 'a FIFO'],
      ['/dev/zero', 'a character device'],
    ] as const) {
      const result = await runCli(['audit', agency.dir, '-f', agency.fingerprintFile, '--plate-key-file', file], { cwd: base });
      expect(result.exitCode).toBe(2);
      expect(result.stderr.trim()).toBe(`custody: plate key file ${file} is ${kind}, not a regular file`);
    }
  });

  it('a fingerprint file larger than the heap can parse is one line (exit 2), not a V8 abort', async () => {
    const big = path.join(base, 'big.fp.json');
    await writeFile(big, `{"references":[${Array.from({ length: 200_000 }, (_, i) => `{"id":"r${i}","pad":"${'x'.repeat(100)}"}`).join(',')}]}`);
    const result = await execa(process.execPath, [path.join(REPO_ROOT, 'bin', 'custody.js'), 'audit', agency.dir, '-f', big], {
      cwd: base,
      reject: false,
      env: { NODE_OPTIONS: '--max-old-space-size=64', CUSTODY_PLATE_KEY: PLATE_KEY },
    });
    expect(result.exitCode).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/needs about \d+ MiB of memory to load.*--max-old-space-size=\d+/);
  }, 60_000);
});

describe('manifests', () => {
  it(`lists the first ${MAX_ROW_PROBLEMS} malformed checksum rows and counts the rest in one entry`, async () => {
    const rows = 20_000;
    const good = `SHA256 (photos/one.jpg) = ${'a'.repeat(64)}\n`; // BSD form: never continued by the next line
    const list = path.join(base, 'hostile.sha256');
    await writeFile(list, good + Array.from({ length: rows }, (_, i) => `${'z'.repeat(63)}${i % 10} ?broken row ${i}\n`).join(''));
    const result = await runCli(['audit', '-m', list, '-f', agency.fingerprintFile, '--format', 'json', '--no-cache'], {
      cwd: base,
      env: { CUSTODY_PLATE_KEY: PLATE_KEY },
    });
    expect(result.exitCode).toBe(3);
    const report = JSON.parse(result.stdout) as Report;
    const entries = report.coverage.filter((c) => c.reason === 'manifest-row');
    expect(entries).toHaveLength(MAX_ROW_PROBLEMS + 1);
    expect(entries.filter((c) => c.location === list)[0]?.detail).toMatch(
      new RegExp(`^${rows - MAX_ROW_PROBLEMS} more malformed row\\(s\\) not listed \\(${rows} in all`),
    );
  });

  it('keeps malformed rows bounded in every manifest format, not only checksum lists (hashdeep here)', async () => {
    const rows = 5_000;
    const list = path.join(base, 'hostile.hashdeep');
    const header = '%%%% HASHDEEP-1.0\n%%%% size,md5,sha256,filename\n## Invoked from: /\n';
    await writeFile(list, header + Array.from({ length: rows }, (_, i) => `not-a-size,${i}\n`).join(''));
    const result = await runCli(['audit', '-m', list, '-f', agency.fingerprintFile, '--format', 'json', '--no-cache', '--allow-empty'], {
      cwd: base,
      env: { CUSTODY_PLATE_KEY: PLATE_KEY },
    });
    expect(result.exitCode).toBe(3);
    const entries = (JSON.parse(result.stdout) as Report).coverage.filter((c) => c.reason === 'manifest-row');
    expect(entries).toHaveLength(MAX_ROW_PROBLEMS + 1);
    expect(entries.find((c) => c.location === list)?.detail).toMatch(
      new RegExp(`^${rows - MAX_ROW_PROBLEMS} more malformed row\\(s\\) not listed \\(${rows} in all`),
    );
  });
});

describe('marker regexes against hostile metadata', () => {
  const jpegWithArtist = (artist: string) =>
    sharp({ create: { width: 8, height: 8, channels: 3, background: '#000' } })
      .jpeg()
      .withExif({ IFD0: { Artist: artist } })
      .toBuffer();
  const itemOf = (bytes: Buffer): Item => ({
    location: 'hostile.jpg',
    origin: 'filesystem',
    size: bytes.length,
    content: { head: async (n) => bytes.subarray(0, n), readAll: async () => bytes, stream: () => Readable.from([bytes]) },
  });
  const detectorFor = (matches: string) =>
    metadataDetector.create({
      fingerprints: undefined as never,
      markers: [{ field: 'Artist', matches, asset: 'vehicle-image' }],
      limits: DEFAULT_DETECT_LIMITS,
      notice: () => undefined,
    })!;

  it('stops a catastrophic pattern and reports the image as not checked (metadata-limit, incomplete)', async () => {
    // before: (a+)+$ against 40 a's and a b backtracks for hours
    const result = await detectorFor('^(a+)+$').detect(itemOf(await jpegWithArtist(`${'a'.repeat(40)}b`)), 'image/jpeg');
    expect(result.identifications).toEqual([]);
    expect(result.coverage).toEqual([
      { location: 'hostile.jpg', reason: 'metadata-limit', detail: expect.stringMatching(/^marker regex stopped after \d+ ms/), incomplete: true },
    ]);
  });

  it(`matches only the first ${MAX_MARKER_VALUE_CHARS} characters of a value`, async () => {
    const long = `${'a'.repeat(MAX_MARKER_VALUE_CHARS)}AGENCY`;
    expect((await detectorFor('AGENCY').detect(itemOf(await jpegWithArtist(long)), 'image/jpeg')).identifications).toEqual([]);
    expect((await detectorFor('^a+').detect(itemOf(await jpegWithArtist(long)), 'image/jpeg')).identifications).toHaveLength(1);
  });

  it('flags nested quantifiers for policy load and accepts ordinary patterns', () => {
    expect(markerPatternProblem('^(a+)+$')).toMatch(/nested quantifiers/);
    expect(markerPatternProblem('(x+x+)+y')).toMatch(/nested quantifiers/);
    expect(markerPatternProblem('^Frontier State Border Agency')).toBeUndefined();
    expect(markerPatternProblem('^LC-\\d{4}-[A-Z]{2}$')).toBeUndefined();
    expect(markerPatternProblem('(')).toBe('not a valid regular expression');
  });
});

function fifo(name: string): string {
  const file = path.join(base, name);
  if (!existsSync(file)) execFileSync('mkfifo', [file]);
  return file;
}
