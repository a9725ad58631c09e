import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { plateDigest } from '../../../src/identify/plates/key.js';
import { PlateMatcher, plateShapes } from '../../../src/identify/plates/matcher.js';
import { scanPlates } from '../../../src/identify/plates/scan.js';
import { PlateScanPool, PlateThreadError } from '../../../src/identify/plates/scan-pool.js';
import { csvText, jsonlText, logLine, makePlates, prng, spell } from './generate.js';

/**
 * A plate scan on a thread (PlateScanPool) gives what scanPlates gives on the calling thread, for
 * every format, encoding and chunking, however many scans share the threads; a read that fails or a
 * thread that dies fails that one scan, and the pool goes on.
 */
const KEY = Buffer.from('scan-pool-test-key-0123456789abcdef');
const AGENCY = makePlates(300, 31);
const OTHERS = makePlates(300, 32, new Set(AGENCY));
const MATCHER = PlateMatcher.fromHex(
  KEY,
  AGENCY.map((p) => plateDigest(KEY, p)),
  plateShapes(AGENCY),
);
const pool = new PlateScanPool(MATCHER, 2);
/** A stream that ends only when `release` is called. */
function held(): { stream: AsyncGenerator<Buffer>; release: () => void } {
  let release!: () => void;
  const until = new Promise<void>((resolve) => (release = resolve));
  async function* stream(): AsyncGenerator<Buffer> {
    await until;
    // Nothing to give: the stream only ends, once released.
    yield* [];
  }
  return { stream: stream(), release };
}
// The pool's first scanner is this thread: held busy, so every scan below runs on the pool's thread.
const hog = held();
const hogScan = pool.scan(hog.stream);
afterAll(async () => {
  hog.release();
  await hogScan;
  await pool.close();
});

function logText(seed: number, escapes: boolean): string {
  const rng = prng(seed);
  const lines: string[] = [];
  for (let i = 0; i < 6000; i++) {
    const plate = i % 7 === 0 ? (i % 14 === 0 ? AGENCY[i % AGENCY.length]! : OTHERS[i % OTHERS.length]!) : undefined;
    const written = plate && spell(plate, rng);
    // ANSI colour around the plate: only the decoded reading sees it whole.
    lines.push(logLine(i, written && escapes ? `\x1b[31m${written.slice(0, 3)}\x1b[0m${written.slice(3)}` : written, rng));
  }
  return `${lines.join('\n')}\n`;
}

const mixed = (seed: number): string[] => {
  const rng = prng(seed);
  return Array.from({ length: 4000 }, (_, i) => (i % 3 === 0 ? AGENCY : OTHERS)[Math.floor(rng() * 300)]!);
};

const CONTENTS: Record<string, Buffer> = {
  csv: Buffer.from(csvText(mixed(1), prng(2))),
  tsv: Buffer.from(csvText(mixed(3), prng(4), '\t')),
  log: Buffer.from(logText(5, false)),
  jsonl: Buffer.from(jsonlText(mixed(6), prng(7))),
  'utf-16': Buffer.from(`\ufeff${csvText(mixed(8), prng(9))}`, 'utf16le'),
  'ansi-escaped log': Buffer.from(logText(10, true)),
};

/** `bytes` in chunks of `size`, lent as a file's reader lends them: one buffer, overwritten for each. */
async function* lent(bytes: Buffer, size: number): AsyncGenerator<Buffer> {
  const buffer = Buffer.alloc(size);
  for (let at = 0; at < bytes.length; at += size) {
    const n = bytes.copy(buffer, 0, at, Math.min(bytes.length, at + size));
    yield buffer.subarray(0, n);
  }
}

const chunked = (bytes: Buffer, size: number) =>
  Readable.from(Array.from({ length: Math.ceil(bytes.length / size) }, (_, i) => bytes.subarray(i * size, (i + 1) * size)));

describe('plate scans on threads', () => {
  for (const [name, bytes] of Object.entries(CONTENTS)) {
    it(`equal the calling thread's scan: ${name}`, async () => {
      const expected = await scanPlates(chunked(bytes, 64 * 1024), MATCHER);
      expect(expected.records).toBeGreaterThan(0);
      for (const size of [999, 16 * 1024 + 7, 1 << 20]) {
        expect(await pool.scan(lent(bytes, size)), `chunks of ${size}`).toEqual(expected);
      }
    });
  }

  it('equal it when many scans share the threads at once', async () => {
    const entries = Object.entries(CONTENTS);
    const expected = await Promise.all(entries.map(([, bytes]) => scanPlates(chunked(bytes, 64 * 1024), MATCHER)));
    const threaded = await Promise.all([...entries, ...entries].map(([, bytes], i) => pool.scan(lent(bytes, 4096 + i * 1000))));
    expect(threaded).toEqual([...expected, ...expected]);
  });

  it('fail with the read, and the thread takes the next file', async () => {
    async function* failing(): AsyncGenerator<Buffer> {
      yield* lent(CONTENTS.csv!.subarray(0, 100_000), 10_000);
      throw Object.assign(new Error('size changed during the scan'), { code: 'ECHANGED' });
    }
    const scans = await Promise.allSettled([pool.scan(failing()), pool.scan(failing()), pool.scan(failing())]);
    for (const scan of scans) expect(scan).toMatchObject({ status: 'rejected', reason: { code: 'ECHANGED' } });
    expect(await pool.scan(lent(CONTENTS.log!, 50_000))).toEqual(await scanPlates(chunked(CONTENTS.log!, 50_000), MATCHER));
  });

  it('fail when their thread dies, never hang, and a new thread takes the next file', async () => {
    let release!: () => void;
    const holding = new Promise<void>((resolve) => (release = resolve));
    async function* slow(): AsyncGenerator<Buffer> {
      yield CONTENTS.csv!.subarray(0, 20_000);
      await holding;
      yield* lent(CONTENTS.csv!.subarray(20_000), 10_000);
    }
    // A pool of its own: this thread is held, the next scan goes to its one thread, the last two wait.
    const pool = new PlateScanPool(MATCHER, 2);
    const here = held();
    const hereScan = pool.scan(here.stream);
    const doomed = pool.scan(slow());
    const waiting = [pool.scan(lent(CONTENTS.log!, 30_000)), pool.scan(lent(CONTENTS.tsv!, 30_000))];
    // The thread scanning `slow` is the one with a scan and no way to go on: terminate it from outside.
    await new Promise((resolve) => setTimeout(resolve, 200));
    const threads = (pool as unknown as { threads: { worker: { terminate(): Promise<number> }; current: unknown }[] }).threads;
    const busy = threads.filter((t) => t.current !== undefined);
    expect(busy.length).toBe(1);
    await Promise.all(busy.map((t) => t.worker.terminate()));
    release();
    await expect(doomed).rejects.toBeInstanceOf(PlateThreadError);
    here.release();
    await hereScan;
    // The files waiting for it go to a new thread.
    expect(await Promise.all(waiting)).toEqual([
      await scanPlates(chunked(CONTENTS.log!, 30_000), MATCHER),
      await scanPlates(chunked(CONTENTS.tsv!, 30_000), MATCHER),
    ]);
    expect(await pool.scan(lent(CONTENTS.jsonl!, 30_000))).toEqual(await scanPlates(chunked(CONTENTS.jsonl!, 30_000), MATCHER));
    await pool.close();
  });

  it('are refused once the pool is closed, scans waiting included; one on this thread finishes', async () => {
    const closing = new PlateScanPool(MATCHER, 2);
    const scans = Promise.allSettled([0, 1, 2].map(() => closing.scan(lent(CONTENTS.log!, 1000))));
    await closing.close();
    // The first went to this thread (it finishes), the second to the thread, the third waited.
    expect((await scans).map((scan) => scan.status)).toEqual(['fulfilled', 'rejected', 'rejected']);
    await expect(closing.scan(lent(CONTENTS.log!, 1000))).rejects.toThrow(/closed/);
  });
});
