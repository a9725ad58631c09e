import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import yauzl from 'yauzl';
import { generator, type Plan, repoRoot } from './synth-api.js';

const NOW = new Date('2026-11-20T12:00:00Z');
const DAY = 86_400_000;
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

let tmp: string;
let out: string;
let plan: Plan;
let bytes: number;

async function walk(dir: string, base = dir): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) found.push(...(await walk(full, base)));
    else found.push(path.relative(base, full).split(path.sep).join('/'));
  }
  return found.sort();
}

async function zipMembers(file: string): Promise<Map<string, Buffer>> {
  return new Promise((resolve, reject) => {
    const members = new Map<string, Buffer>();
    yauzl.open(file, { lazyEntries: true }, (err, zipfile) => {
      if (err) return reject(err);
      zipfile.on('entry', (entry: yauzl.Entry) => {
        zipfile.openReadStream(entry, (e, stream) => {
          if (e) return reject(e);
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('end', () => {
            members.set(entry.fileName, Buffer.concat(chunks));
            zipfile.readEntry();
          });
        });
      });
      zipfile.on('end', () => resolve(members));
      zipfile.readEntry();
    });
  });
}

const shareFile = (location: string) => path.join(out, 'contractor-share', ...location.split('/'));
const agencyFile = (id: string) => path.join(out, 'agency-data', ...id.split('/'));

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'custody-example-'));
  out = path.join(tmp, 'generated');
  const result = await generator.generateExample({ out, now: NOW });
  plan = result.plan;
  bytes = result.bytes;
}, 180_000);
afterAll(async () => {
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

describe('generate-fixtures', () => {
  it('writes the documented layout, small, with the plan and key beside the share', async () => {
    const top = (await readdir(out)).sort();
    expect(top).toEqual(['agency-data', 'contractor-share', 'plan.json', 'plate.key']);
    expect(JSON.parse(await readFile(path.join(out, 'plan.json'), 'utf8'))).toEqual(plan);
    const agency = await walk(path.join(out, 'agency-data'));
    expect(agency.filter((f) => f.startsWith('travelers/'))).toHaveLength(6);
    expect(agency.filter((f) => f.startsWith('lanes/'))).toHaveLength(8);
    expect(agency.filter((f) => f.startsWith('plates/'))).toHaveLength(4);
    expect(agency).toContain('plate-reads/reads-2026-10.csv');
    const key = await readFile(path.join(out, 'plate.key'), 'utf8');
    expect(key).toMatch(/^[0-9a-f]{64}\n$/);
    expect((await stat(path.join(out, 'plate.key'))).mode & 0o777).toBe(0o600);
    expect(bytes).toBeLessThan(3_000_000);
  });

  it('plants every listed copy with the stated mode, age and content', async () => {
    const zipPath = 'backups/2026-09/export.zip';
    const members = await zipMembers(shareFile(zipPath));
    for (const p of plan.plants) {
      const reference = await readFile(agencyFile(p.reference));
      if (p.kind === 'archive') {
        const [container, member] = p.location.split('!/') as [string, string];
        expect(container).toBe(zipPath);
        expect(members.get(member)?.equals(reference), p.location).toBe(true);
        continue;
      }
      const info = await stat(shareFile(p.location));
      expect((info.mode & 0o777).toString(8).padStart(4, '0'), p.location).toBe(p.mode);
      expect(Math.round((NOW.getTime() - info.mtimeMs) / DAY), p.location).toBe(p.ageDays);
      const data = await readFile(shareFile(p.location));
      if (p.kind === 'exact') expect(sha(data), p.location).toBe(sha(reference));
      if (p.kind === 'perceptual') {
        expect(sha(data), p.location).not.toBe(sha(reference));
        expect((await sharp(data).metadata()).width, p.location).toBeGreaterThan(0);
      }
      if (p.kind === 'record') {
        const agencyPlates = new Set(
          (await readFile(agencyFile(p.reference), 'utf8'))
            .trim()
            .split('\n')
            .slice(1)
            .map((l) => l.split(',')[4]!),
        );
        const tokens =
          data
            .toString('utf8')
            .toUpperCase()
            .replace(/(\b[A-Z0-9]{3,4})[ -]([A-Z0-9]{3,4}\b)/g, '$1$2')
            .match(/[A-Z0-9]{7}/g) ?? [];
        expect(new Set(tokens.filter((t) => agencyPlates.has(t))).size, p.location).toBe(p.records);
      }
    }
  });

  it('states violations that follow the plan policy', () => {
    for (const p of plan.plants) {
      const mode = Number.parseInt(p.mode, 8);
      const want = [
        ...(p.location.startsWith('secure-enclave/') ? [] : ['location']),
        ...((mode & ~0o640) !== 0 ? ['permissions'] : []),
        ...(p.ageDays > 30 ? ['retention'] : []),
        ...(p.kind === 'archive' ? ['no-archives'] : []),
      ];
      expect(p.violations, p.location).toEqual(want);
      // No planted age sits on the retention boundary, where date rounding could flip a verdict.
      expect(Math.abs(p.ageDays - 30), p.location).toBeGreaterThan(2);
    }
    const kinds = new Set(plan.plants.map((p) => p.kind));
    expect(kinds).toEqual(new Set(['exact', 'perceptual', 'archive', 'record']));
    const exact = plan.plants.filter((p) => p.kind === 'exact');
    for (const v of ['location', 'permissions', 'retention'])
      expect(
        exact.some((p) => p.violations.includes(v)),
        v,
      ).toBe(true);
    expect(exact.some((p) => p.violations.length === 0)).toBe(true);
    // At least one recent copy of an old capture: only the EXIF capture date shows its age.
    expect(plan.plants.some((p) => !p.violations.includes('retention') && p.violationsByCaptureDate?.includes('retention'))).toBe(true);
    expect(plan.summary.outsideAuthorised).toBe(plan.plants.filter((p) => p.violations.includes('location')).length);
  });

  it('accounts for every file in the share, and no unrelated file copies agency data', async () => {
    const files = await walk(path.join(out, 'contractor-share'));
    const planted = new Set(plan.plants.filter((p) => p.kind !== 'archive').map((p) => p.location));
    const unrelated = new Set(plan.unrelated.map((u) => u.location));
    const containers = new Set(plan.containers.map((c) => c.location));
    for (const f of files) expect([planted.has(f), unrelated.has(f), containers.has(f)].filter(Boolean), f).toHaveLength(1);
    expect(files.length).toBe(planted.size + unrelated.size + containers.size);
    const agencyDigests = new Set(await Promise.all((await walk(path.join(out, 'agency-data'))).map(async (f) => sha(await readFile(agencyFile(f))))));
    for (const u of plan.unrelated) expect(agencyDigests.has(sha(await readFile(shareFile(u.location)))), u.location).toBe(false);
    expect(files).toContain("laptops/jsmith/Desktop/Zoë's notes – März 2026.txt");
    expect(plan.unrelated.some((u) => u.note === 'empty file')).toBe(true);
    expect(plan.plants.some((p) => p.kind === 'exact' && p.location.endsWith('.txt'))).toBe(true);
  });

  it('is deterministic and idempotent through the CLI, and refuses to delete a foreign directory', async () => {
    const before = new Map<string, string>();
    for (const f of await walk(out)) before.set(f, sha(await readFile(path.join(out, ...f.split('/')))));
    await writeFile(path.join(out, 'contractor-share', 'stray.txt'), 'left over');
    const { stdout } = await execa('node', ['scripts/generate-fixtures.js', '--out', out, '--now', NOW.toISOString()], { cwd: repoRoot });
    expect(stdout).toMatch(/wrote \d+ files/);
    const after = new Map<string, string>();
    for (const f of await walk(out)) after.set(f, sha(await readFile(path.join(out, ...f.split('/')))));
    expect(after).toEqual(before);

    const foreign = path.join(tmp, 'foreign');
    await mkdir(foreign);
    await writeFile(path.join(foreign, 'keep.txt'), 'precious');
    const refused = await execa('node', ['scripts/generate-fixtures.js', '--out', foreign], { cwd: repoRoot, reject: false });
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toMatch(/refusing to delete/);
    expect(await readFile(path.join(foreign, 'keep.txt'), 'utf8')).toBe('precious');
  }, 180_000);
});
