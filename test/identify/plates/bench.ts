/**
 * Throughput of the plate scan against `grep -c` on the same files (issue 4's speed note).
 * Not a test: build and run with
 *   npx esbuild test/identify/plates/bench.ts --bundle --platform=node --format=esm \
 *     --packages=external --outfile=/tmp/plate-bench.mjs && node /tmp/plate-bench.mjs [MB] [dir]
 * It writes a log and a CSV of about MB megabytes each (default 200) into dir (default the OS temp
 * dir), with 10,000 agency plates of which one line in 500 holds one, and other plates elsewhere.
 */
import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { createReadStream, createWriteStream, existsSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { plateDigest } from '../../../src/identify/plates/key.js';
import { PlateMatcher, plateShapes } from '../../../src/identify/plates/matcher.js';
import { scanPlates } from '../../../src/identify/plates/scan.js';
import { logLine, makePlates, prng, spell } from './generate.js';

const megabytes = Number(process.argv[2] ?? 200);
const dir = process.argv[3] ?? tmpdir();
const key = Buffer.from('bench-plate-key-0123456789abcdef');
const agency = makePlates(10_000, 101);
const others = makePlates(10_000, 102, new Set(agency));

async function generate(file: string, line: (n: number, rng: () => number) => string, header?: string): Promise<void> {
  if (existsSync(file) && statSync(file).size >= megabytes * 1e6) return;
  const out = createWriteStream(file);
  const rng = prng(7);
  let written = 0;
  let batch = header ? `${header}\n` : '';
  for (let n = 0; written < megabytes * 1e6; n++) {
    batch += `${line(n, rng)}\n`;
    if (batch.length > 1 << 20) {
      written += batch.length;
      if (!out.write(batch)) await once(out, 'drain');
      batch = '';
    }
  }
  out.end(batch);
  await once(out, 'finish');
}

const pickPlate = (n: number, rng: () => number): string | undefined =>
  n % 500 === 0 ? spell(agency[(n / 500) % agency.length]!, rng) : n % 50 === 0 ? spell(others[n % others.length]!, rng) : undefined;

function grepSeconds(args: string[], file: string): { seconds: number; count: string } {
  const start = process.hrtime.bigint();
  let count: string;
  try {
    count = execFileSync('grep', [...args, file], { env: { ...process.env, LC_ALL: 'C' } })
      .toString()
      .trim();
  } catch (error) {
    count = String((error as { stdout?: Buffer }).stdout ?? '0').trim();
  }
  return { seconds: Number(process.hrtime.bigint() - start) / 1e9, count };
}

async function main(): Promise<void> {
  const log = path.join(dir, `plate-bench-${megabytes}.log`);
  const csv = path.join(dir, `plate-bench-${megabytes}.csv`);
  await generate(log, (n, rng) => logLine(n, pickPlate(n, rng), rng));
  await generate(
    csv,
    (n, rng) =>
      `${new Date(Date.UTC(2026, 0, 1) + n * 250).toISOString()},${n % 8},cam-0${n % 8},${pickPlate(n, rng) ?? spell(others[(n * 7) % others.length]!, rng)},${(n % 100) / 100}`,
    'time,lane,camera,plate,confidence',
  );
  const digests = agency.map((p) => plateDigest(key, p));
  for (const file of [log, csv]) {
    const size = statSync(file).size;
    for (const [label, shapes] of [
      ['all shapes', undefined],
      ['agency shapes', plateShapes(agency)],
    ] as const) {
      const matcher = PlateMatcher.fromHex(key, digests, shapes);
      const start = process.hrtime.bigint();
      const result = await scanPlates(createReadStream(file, { highWaterMark: 1 << 20 }), matcher);
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      console.log(
        `${path.basename(file)} scan (${label}): ${(size / 1e6 / seconds).toFixed(1)} MB/s, ${seconds.toFixed(2)} s, ${result.format}, records ${result.records}`,
      );
    }
    for (const args of [
      ['-c', '-F', 'plate'],
      ['-cE', '[A-Za-z]{2,3}[ .-]?[0-9]{3,4}'],
    ]) {
      const grep = grepSeconds(args, file);
      console.log(
        `${path.basename(file)} grep ${args.join(' ')}: ${(size / 1e6 / grep.seconds).toFixed(1)} MB/s, ${grep.seconds.toFixed(2)} s, count ${grep.count}`,
      );
    }
    console.log(`  rss ${(process.memoryUsage().rss / 1e6).toFixed(0)} MB`);
  }
}

await main();
