import { appendFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAudit } from '../../src/audit/audit.js';
import { buildPlateSet } from '../../src/identify/plates/agency.js';
import { THREAD_SCAN_BYTES } from '../../src/identify/plates/scan-pool.js';
import { builtinPolicy } from '../../src/policy/builtin.js';
import { json } from '../../src/report/json.js';
import type { Report } from '../../src/report/model.js';
import { fileContent } from '../../src/sources/file-content.js';
import type { SourceEvent } from '../../src/sources/item.js';
import { SOURCES } from '../../src/sources/registry.js';
import { tempDir } from '../support/tmp.js';
import { csvText, logLine, makePlates, prng, spell } from './plates/generate.js';
import { plateOnlyIndex } from './support/fingerprint-index.js';

/**
 * Large record files are scanned on worker threads when the audit has threads to spare (--threads,
 * default the cores): the report is the same, byte for byte apart from its times, as when every file is
 * scanned on the main thread; a file that changes size while a thread scans it is recorded in coverage.
 */
const KEY = Buffer.from('records-threads-key-0123456789abcdef');
const AGENCY = makePlates(200, 41);
const OTHERS = makePlates(2000, 42, new Set(AGENCY));
let dir: string;
let cleanup: () => Promise<void>;

/** Text of at least `bytes`, made of `piece(i)` for i = 0, 1, ... */
function atLeast(bytes: number, piece: (i: number) => string): string {
  const parts: string[] = [];
  let length = 0;
  for (let i = 0; length < bytes; i++) {
    const part = piece(i);
    parts.push(part);
    length += part.length;
  }
  return parts.join('');
}

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir('custody-records-threads-'));
  const size = THREAD_SCAN_BYTES + 300_000;
  const rng = prng(43);
  const plateOf = (i: number) => (i % 50 === 0 ? AGENCY[(i / 50) % AGENCY.length]! : OTHERS[i % OTHERS.length]!);
  const csv = csvText(
    Array.from({ length: Math.ceil(size / 40) }, (_, i) => plateOf(i)),
    rng,
  );
  await writeFile(path.join(dir, 'reads.csv'), csv);
  await writeFile(
    path.join(dir, 'lanes.log'),
    atLeast(size, (i) => `${logLine(i, i % 3 === 0 ? spell(plateOf(i), rng) : undefined, rng)}\n`),
  );
  await writeFile(path.join(dir, 'export-utf16.csv'), Buffer.from(`\ufeff${csv.slice(0, size / 2 + 1000)}`, 'utf16le'));
  await writeFile(
    path.join(dir, 'small.log'),
    atLeast(20_000, (i) => `${logLine(i, i % 5 === 0 ? spell(plateOf(i * 10), rng) : undefined, rng)}\n`),
  );
}, 60_000);
afterAll(() => cleanup());

const fingerprints = () => plateOnlyIndex(buildPlateSet(AGENCY, KEY, [{ id: 'reads.csv', column: 'plate', rows: AGENCY.length }]));

async function audit(threads: number, sources = SOURCES): Promise<Report> {
  return runAudit({
    inputs: [{ source: 'filesystem', roots: [dir] }],
    sources,
    policy: builtinPolicy([], dir),
    fingerprints: fingerprints(),
    plateKey: KEY,
    concurrency: 4,
    threads,
  });
}

const withoutTimes = (report: Report): string => json({ ...report, startedAt: '', finishedAt: '' }, { color: false, showWaived: false });

describe('large plate-record files on threads', () => {
  it('give the same report as the main thread', async () => {
    for (const name of ['reads.csv', 'lanes.log', 'export-utf16.csv'])
      expect((await stat(path.join(dir, name))).size).toBeGreaterThanOrEqual(THREAD_SCAN_BYTES);
    const main = await audit(1);
    const threaded = await audit(2);
    expect(main.assets.map((a) => a.location).sort()).toEqual(['export-utf16.csv', 'lanes.log', 'reads.csv', 'small.log']);
    expect(withoutTimes(threaded)).toBe(withoutTimes(main));
  }, 120_000);

  it('record a file that grows while a thread scans it in coverage', async () => {
    const file = path.join(dir, 'growing.log');
    await writeFile(
      file,
      atLeast(THREAD_SCAN_BYTES + 3_000_000, (i) => `${logLine(i, spell(AGENCY[i % AGENCY.length]!, prng(i)), prng(i + 1))}\n`),
    );
    const { size, mtime, mode } = await stat(file);
    async function* growingMidScan(): AsyncGenerator<SourceEvent> {
      const real = fileContent(file, size);
      const lentChunks = async function* () {
        let n = 0;
        for await (const chunk of real.lentChunks!()) {
          // Grown after the second chunk was read: the reader finds more bytes than the walk saw.
          if (++n === 2) await appendFile(file, 'more lines\n');
          yield chunk;
        }
      };
      yield { kind: 'item', item: { location: 'growing.log', origin: 'filesystem', size, mtime, mode: mode & 0o7777, content: { ...real, lentChunks } } };
    }
    const report = await audit(2, { ...SOURCES, filesystem: { ...SOURCES.filesystem, events: () => growingMidScan() } });
    const entry = report.coverage.find((c) => c.location === 'growing.log');
    // The read's own failure, as on the main thread (a thread's would say 'scanning thread failed').
    expect(entry).toMatchObject({ reason: 'unreadable', detail: 'plate scan stopped: read error', incomplete: true });
    expect(report.assets.map((a) => a.location)).not.toContain('growing.log');
  }, 120_000);
});
