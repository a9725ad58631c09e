import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PLATE_KEY } from '../hostile/support/agency.js';
import { runCli } from '../hostile/support/cli.js';
import { encode, rawPicture } from '../hostile/support/images.js';
import { rng } from '../support/fuzz.js';
import { REPO_ROOT, tempDir, writeTree } from '../support/tmp.js';

const BIN = path.join(REPO_ROOT, 'bin', 'custody.js');
const PLATES = ['ABC1234', 'XYZ9876', 'KLM4455'];

/** The digest a `custody fingerprint` summary line ends with. */
const digestOf = (stderr: string) => /\[(sha256:[0-9a-f]{64})\]\n?$/.exec(stderr)?.[1];

describe('fingerprint store v2 through the CLI: fingerprint, convert, audit', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  const custody = (args: string[]) => execa('node', [BIN, ...args], { cwd: dir, reject: false, env: { NO_COLOR: '1', CUSTODY_PLATE_KEY: PLATE_KEY } });

  beforeAll(async () => {
    ({ dir, cleanup } = await tempDir('custody-store-e2e-'));
    const r = rng(17);
    const images = await Promise.all([0, 1, 2].map(() => encode(rawPicture(r, 160, 120), 160, 120, 'jpeg')));
    await writeTree(dir, {
      'agency/lanes/lane-0.jpg': images[0]!,
      'agency/lanes/lane-1.jpg': images[1]!,
      'agency/lanes/lane-2.jpg': images[2]!,
      'agency/reads.csv': `plate,seen_at\n${PLATES.map((p) => `${p},2026-11-01T10:00:00Z`).join('\n')}\n`,
      'share/copy.jpg': images[0]!,
      'share/reencoded.jpg': await sharp(images[1]!).jpeg({ quality: 60 }).toBuffer(),
      'share/app.log': `${PLATES.map((p) => `read plate=${p} lane=2`).join('\n')}\n`,
      'share/notes.txt': 'nothing here\n',
    });
  });
  afterAll(() => cleanup());

  it('writes v1 by default, v2 for .cfs or --store-format v2; convert gives the digest a direct write gives', async () => {
    const v1 = await custody(['fingerprint', 'agency', '--out', 'agency.fp.json']);
    expect(v1.exitCode, v1.stderr).toBe(0);
    expect((await readFile(path.join(dir, 'agency.fp.json'), 'utf8')).startsWith('{')).toBe(true);
    const direct = await custody(['fingerprint', 'agency', '--out', 'direct.cfs']);
    const flagged = await custody(['fingerprint', 'agency', '--out', 'flagged.bin', '--store-format', 'v2']);
    const converted = await custody(['fingerprint', 'convert', 'agency.fp.json', '--out', 'agency.store']);
    for (const result of [direct, flagged, converted]) expect(result.exitCode, result.stderr).toBe(0);
    expect(converted.stderr).toMatch(/^custody: 4 references \(sha256:[0-9a-f]{64}\) -> agency\.store as v2 \[sha256:[0-9a-f]{64}\]$/);
    expect(digestOf(direct.stderr)).toBe(digestOf(converted.stderr));
    expect(digestOf(flagged.stderr)).toBe(digestOf(converted.stderr));
    expect(digestOf(converted.stderr)).not.toBe(digestOf(v1.stderr));
    expect((await readFile(path.join(dir, 'agency.store'))).subarray(0, 7).toString()).toBe('CUSTFPS');
    // And back: the v1 file the store came from, digest included (createdAt is kept by convert).
    const back = await custody(['fingerprint', 'convert', 'agency.store', '--out', 'back.fp.json']);
    expect(back.exitCode, back.stderr).toBe(0);
    expect(await readFile(path.join(dir, 'back.fp.json'), 'utf8')).toBe(await readFile(path.join(dir, 'agency.fp.json'), 'utf8'));
  });

  it('audits with a store exactly as with the v1 file: the reports differ only in the fingerprint digest', async () => {
    const reports: string[] = [];
    for (const [file, out] of [
      ['agency.fp.json', 'v1.json'],
      ['agency.store', 'v2.json'],
    ] as const) {
      const result = await custody(['audit', 'share', '--fingerprints', file, '--authorized', 'vault/**', '--no-cache', '--format', 'json', '--output', out]);
      expect(result.exitCode, result.stderr).toBe(1);
      reports.push(await readFile(path.join(dir, out), 'utf8'));
    }
    const [v1, v2] = reports.map((text) => JSON.parse(text.replace(/"(startedAt|finishedAt)": "[^"]*"/g, '"$1": "-"')));
    const digests = [v1.fingerprints[0].digest, v2.fingerprints[0].digest];
    expect(digests[0]).not.toBe(digests[1]);
    v2.fingerprints[0].digest = digests[0];
    expect(v2).toEqual(v1);
    // The audit really used every kind of reference: exact, perceptual and plates.
    const evidence = JSON.stringify(v1.findings);
    expect(evidence).toContain('copy.jpg');
    expect(evidence).toContain('"location":"reencoded.jpg"');
    expect(evidence).toContain('"method":"perceptual"');
    expect(evidence).toContain('app.log');
  });

  it.each([
    [['fingerprint', 'convert', 'absent.fp.json', '--out', 'x.cfs'], /absent\.fp\.json: cannot read fingerprint file \(ENOENT\)/],
    [['fingerprint', 'convert', 'agency.fp.json', '--out', 'x.cfs', '--store-format', 'v3'], /--store-format takes v1 \(JSON\) or v2 \(store\), not "v3"/],
    [['fingerprint', 'convert', 'agency.fp.json'], /fingerprint convert needs --out <file>/],
    [['fingerprint', 'convert', 'agency.fp.json', '--out', 'share'], /cannot write share: it is a directory/],
    [['fingerprint', 'convert', 'a.fp.json', 'b.fp.json', '--out', 'x.cfs'], /takes one fingerprint file/],
    [['fingerprint', 'convert', 'agency.fp.json', '--out', 'x.cfs', '--class', 'a=b'], /takes only --out and --store-format/],
  ])('%j: exit 2, one line', async (args, reason) => {
    const result = await runCli(args, { cwd: dir, env: { CUSTODY_PLATE_KEY: PLATE_KEY } });
    expect(result.exitCode).toBe(2);
    expect(result.stderr.split('\n').filter((l) => l !== '')).toHaveLength(1);
    expect(result.stderr).toMatch(reason);
  });
});
