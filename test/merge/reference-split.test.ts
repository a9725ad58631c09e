import { readFileSync } from 'node:fs';
import { copyFile, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Ajv } from 'ajv';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateExample } from '../../scripts/generate-fixtures.js';
import { run } from '../../src/cli/run.js';
import { referenceShareOf } from '../../src/references/split.js';
import { captureIo, REPO_ROOT, tempDir } from '../support/tmp.js';

const BIN = path.join(REPO_ROOT, 'bin', 'custody.js');
const NOW = '2026-11-20T12:00:00Z';
const schema = JSON.parse(readFileSync(path.join(REPO_ROOT, 'schemas/report.schema.json'), 'utf8')) as Record<string, unknown>;
const ajv = new Ajv({ allErrors: true, strict: true });
ajv.addFormat('date-time', (s: string) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$/.test(s));
const validate = ajv.compile(schema);

/**
 * Timing fields may differ between a single run and a merge, and so may bytesRead: a measurement of
 * work, not a conclusion; the merge reports what the split audit read (every split reads the tree).
 */
const withoutTiming = (text: string): string => text.replace(/"(startedAt|finishedAt|bytesRead)": ("[^"]*"|\d+)/g, '"$1": "-"');

interface Identified {
  location: string;
  identifications: { method: string; reference?: string }[];
}
interface SplitReport {
  assets: { location: string; method: string; reference?: string }[];
  notices: { message: string }[];
  references: { index: number; count: number; identified: Identified[] };
}

/**
 * Issue #17 item 4: an audit against three shares of the references (`--references k/3`, separate
 * processes, a fingerprint store), merged, is the single run's report byte for byte (timing aside):
 * matches fall in different splits, one contractor file is a copy of two agency references that fall
 * in different splits (the merge must choose as the single run did), plate records are checked.
 */
describe('reference-split audit', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  /** The two ids of one agency image (the original and a renamed duplicate), in different shares of 3. */
  let twins: string[];
  const auditArgs = [
    'audit',
    'case/contractor-share',
    '--policy',
    'policy.yaml',
    '--plate-key-file',
    'case/plate.key',
    '--now',
    NOW,
    '--format',
    'json',
    '--no-cache',
  ];
  const spawnAudit = (extra: string[], output: string) => execa('node', [BIN, ...auditArgs, ...extra, '--output', output], { cwd: dir, reject: false });
  const readJson = async <T>(name: string): Promise<T> => JSON.parse(await readFile(path.join(dir, name), 'utf8')) as T;

  beforeAll(async () => {
    ({ dir, cleanup } = await tempDir('custody-refsplit-'));
    await generateExample({ out: path.join(dir, 'case'), now: new Date(NOW) });
    // A duplicate of an image the contractor holds copies of, under a name whose id hashes to another share.
    const original = 'travelers/traveler-0001.jpg';
    const twin = Array.from({ length: 20 }, (_, i) => `travelers/traveler-0001-dup${i}.jpg`).find(
      (id) => referenceShareOf(id, 3) !== referenceShareOf(original, 3),
    )!;
    await copyFile(path.join(dir, 'case/agency-data', original), path.join(dir, 'case/agency-data', twin));
    const classes = ['--class', 'travelers/**=traveler-image', '--class', 'lanes/**=vehicle-image', '--class', 'plates/**=plate-image'];
    const io = captureIo(dir);
    const fingerprint = await run(['fingerprint', 'case/agency-data', '--out', 'agency.cfs', '--plate-key-file', 'case/plate.key', ...classes], io);
    expect(fingerprint.exitCode, io.err()).toBe(0);
    twins = [original, twin];
    const policy = await readFile(path.join(REPO_ROOT, 'policies/border-lane-cameras.yaml'), 'utf8');
    await writeFile(path.join(dir, 'policy.yaml'), policy.replace('../fixtures/example/generated/agency.fp.json', 'agency.cfs'));

    const single = await run([...auditArgs, '--output', 'single.json'], captureIo(dir));
    expect(single.exitCode).toBe(1);
    const splits = await Promise.all([1, 2, 3].map((k) => spawnAudit(['--references', `${k}/3`], `split-${k}.json`)));
    for (const split of splits) expect([0, 1], split.stderr).toContain(split.exitCode);
  }, 300_000);
  afterAll(async () => cleanup());

  it('each split matched only its share, and the duplicated image was matched in two splits by different references', async () => {
    const splits = await Promise.all([1, 2, 3].map((k) => readJson<SplitReport>(`split-${k}.json`)));
    const single = await readJson<{ assets: { method: string }[] }>('single.json');
    expect(single.assets.some((a) => a.method === 'record')).toBe(true);
    const matched = splits.map((s) => new Set(s.references.identified.flatMap((e) => e.identifications.flatMap((i) => (i.reference ? [i.reference] : [])))));
    matched.forEach((ids, k) => {
      expect(ids.size, `split ${k + 1} matched nothing`).toBeGreaterThan(0);
      for (const id of ids) expect(referenceShareOf(id, 3)).toBe(k + 1);
    });
    for (const split of splits) expect(validate(split), ajv.errorsText(validate.errors)).toBe(true);
    for (const k of [0, 1, 2]) expect(splits[k]!.notices.some((n) => n.message.startsWith(`reference split ${k + 1}/3:`))).toBe(true);
    // The copies of the duplicated image: matched by the original in one split, by its twin in another.
    for (const id of twins) expect(matched.some((ids) => ids.has(id))).toBe(true);
  });

  it('merges the three splits (in any order) into the single run, byte for byte apart from timing', async () => {
    const io = captureIo(dir);
    const merged = await run(['merge', 'split-3.json', 'split-1.json', 'split-2.json', '--output', 'merged.json'], io);
    expect(merged.exitCode, io.err()).toBe(1);
    const [one, all] = await Promise.all([readFile(path.join(dir, 'single.json'), 'utf8'), readFile(path.join(dir, 'merged.json'), 'utf8')]);
    expect(withoutTiming(all)).toBe(withoutTiming(one));
    // The rule decided: the single run's match for the duplicated image is the lower id of the two.
    const report = JSON.parse(all) as { assets: { reference?: string; method: string }[] };
    const chosen = report.assets.filter((a) => a.method === 'exact' && twins.includes(a.reference ?? '')).map((a) => a.reference);
    expect(chosen.length).toBeGreaterThan(0);
    expect(new Set(chosen)).toEqual(new Set([[...twins].sort()[0]]));
  });

  it('a grid of 2 tree shards x 2 reference splits merges into the single run too', async () => {
    const grid = await Promise.all(
      [1, 2].flatMap((s) => [1, 2].map((k) => spawnAudit(['--shard', `${s}/2`, '--references', `${k}/2`], `grid-${s}-${k}.json`))),
    );
    for (const cell of grid) expect([0, 1], cell.stderr).toContain(cell.exitCode);
    const io = captureIo(dir);
    const merged = await run(['merge', 'grid-2-1.json', 'grid-1-2.json', 'grid-1-1.json', 'grid-2-2.json', '--output', 'grid.json'], io);
    expect(merged.exitCode, io.err()).toBe(1);
    const [one, all] = await Promise.all([readFile(path.join(dir, 'single.json'), 'utf8'), readFile(path.join(dir, 'grid.json'), 'utf8')]);
    expect(withoutTiming(all)).toBe(withoutTiming(one));
    // A grid with a cell missing is refused like a missing split.
    const missing = captureIo(dir);
    expect((await run(['merge', 'grid-1-1.json', 'grid-1-2.json', 'grid-2-1.json'], missing)).exitCode).toBe(2);
    expect(missing.err()).toMatch(/missing reference split\(s\) 2 of 2/);
  }, 180_000);

  it("the re-audit cache keeps each share apart: a warm split never replays another share's matches", async () => {
    const cached = (k: number, output: string) =>
      execa('node', [BIN, ...auditArgs.filter((a) => a !== '--no-cache'), '--cache', 'cache-dir', '--references', `${k}/3`, '--output', output], {
        cwd: dir,
        reject: false,
      });
    for (const [k, output] of [
      [1, 'cold-1.json'],
      [2, 'warm-2.json'],
      [3, 'warm-3.json'],
      [2, 'warm-2b.json'],
    ] as const) {
      const audit = await cached(k, output);
      expect([0, 1], audit.stderr).toContain(audit.exitCode);
    }
    const io = captureIo(dir);
    expect((await run(['merge', 'cold-1.json', 'warm-2b.json', 'warm-3.json', '--output', 'cached.json'], io)).exitCode, io.err()).toBe(1);
    const [one, all] = await Promise.all([readFile(path.join(dir, 'single.json'), 'utf8'), readFile(path.join(dir, 'cached.json'), 'utf8')]);
    expect(withoutTiming(all)).toBe(withoutTiming(one));
  }, 180_000);

  it('human formats render from the merged report as from the single run; a split says it is one share', async () => {
    const humanArgs = auditArgs.filter((a, i) => a !== '--format' && auditArgs[i - 1] !== '--format');
    // Durations and clock times are the only differences allowed.
    // Durations, clock times and bytes read may differ; so may the order of an evidence map's keys,
    // which the pretty reporter prints as met (the JSON report sorts them).
    const timing = (text: string) =>
      text
        .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z/g, '<t>')
        .replace(/\d+(\.\d+)? ?(ms|s)\b/g, '<d>')
        .replace(/[\d.]+ (KiB|MiB|B) read/g, '<n> read')
        .replace(/\{"[^{}]*\}/g, (map) => JSON.stringify(Object.fromEntries(Object.entries(JSON.parse(map) as object).sort())));
    for (const format of ['pretty', 'markdown']) {
      const single = captureIo(dir);
      await run([...humanArgs, '--format', format, '--no-color'], single);
      const merged = captureIo(dir);
      const result = await run(['merge', 'split-1.json', 'split-2.json', 'split-3.json', '--format', format, '--no-color'], merged);
      expect(result.exitCode, merged.err()).toBe(1);
      expect(merged.out().length).toBeGreaterThan(200);
      expect(timing(merged.out())).toBe(timing(single.out()));
    }
    const split = await execa('node', [BIN, ...humanArgs, '--references', '2/3', '--format', 'pretty', '--no-color'], { cwd: dir, reject: false });
    expect(split.stdout).toMatch(/reference split 2\/3: only the references whose id hashes to share 2 of 3 were matched/);
  }, 120_000);

  it('refuses, one line each: a missing split, a repeated one, another split count, another --now, a whole-set report', async () => {
    const refusal = async (files: string[]) => {
      const io = captureIo(dir);
      const result = await run(['merge', ...files], io);
      expect(result.exitCode).toBe(2);
      expect(io.err().trim().split('\n')).toHaveLength(1);
      return io.err();
    };
    expect(await refusal(['split-1.json', 'split-3.json'])).toMatch(/missing reference split\(s\) 2 of 3/);
    expect(await refusal(['split-1.json', 'split-2.json', 'split-3.json', 'split-2.json'])).toMatch(/reference split was given twice \(2 of 3\)/);
    expect(await refusal(['split-1.json', 'single.json'])).toMatch(/cannot merge together/);
    const other = await spawnAudit(['--references', '1/2'], 'half-1.json');
    expect([0, 1], other.stderr).toContain(other.exitCode);
    expect(await refusal(['half-1.json', 'split-2.json', 'split-3.json'])).toMatch(/disagree on the split count \(2 and 3\)/);
    const later = await execa(
      'node',
      [BIN, ...auditArgs.map((a) => (a === NOW ? '2026-11-21T12:00:00Z' : a)), '--references', '1/3', '--output', 'later-1.json'],
      {
        cwd: dir,
        reject: false,
      },
    );
    expect([0, 1], later.stderr).toContain(later.exitCode);
    expect(await refusal(['later-1.json', 'split-2.json', 'split-3.json'])).toMatch(/audited at different times/);
    // A share that does not exist is a usage error naming the flag, before anything is read.
    const bad = captureIo(dir);
    expect((await run([...auditArgs, '--references', '4/3'], bad)).exitCode).toBe(2);
    expect(bad.err()).toMatch(/^custody: --references takes k\/n with 1 <= k <= n, e\.g\. 2\/4, not "4\/3"/);
  }, 120_000);
});
