import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { Ajv } from 'ajv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/report/model.js';
import { cliIn } from '../support/small-case.js';
import { bytesOf, tempDir, writeTree } from '../support/tmp.js';

const schema = JSON.parse(await readFile(new URL('../../schemas/report.schema.json', import.meta.url), 'utf8')) as Record<string, unknown>;

/** What a shard report carries for the merge (`shard.allowEmpty`, `shard.knows`) survives the JSON. */
describe('shard reports carry what the merge needs', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  const cli = (...args: string[]) => cliIn(dir)(...args);

  beforeAll(async () => {
    ({ dir, cleanup } = await tempDir('custody-shard-fields-'));
    await writeTree(dir, { 'refs/a.bin': bytesOf('reference a', 4096) });
    await mkdir(path.join(dir, 'empty'));
    expect((await cli('fingerprint', 'refs', '--out', 'agency.fp.json', '--no-perceptual')).exitCode).toBe(0);
  });
  afterAll(async () => cleanup());

  it('an empty audit allowed empty passes as one run, and as merged shards too', async () => {
    const args = [
      'audit',
      'empty',
      '--fingerprints',
      'agency.fp.json',
      '--authorized',
      'enclave/**',
      '--no-cache',
      '--allow-empty',
      '--now',
      '2026-05-28T09:00:00Z',
    ];
    expect((await cli(...args, '--format', 'json', '--output', 'single.json')).exitCode).toBe(0);
    for (const k of [1, 2]) expect((await cli(...args, '--shard', `${k}/2`, '--format', 'json', '--output', `s${k}.json`)).exitCode).toBe(0);
    const shard = JSON.parse(await readFile(path.join(dir, 's1.json'), 'utf8')) as Report;
    expect(shard.shard).toMatchObject({ allowEmpty: true, knows: [] });
    const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);
    expect(validate(shard), JSON.stringify(validate.errors)).toBe(true);
    const merged = await cli('merge', 's1.json', 's2.json', '--format', 'json', '--output', 'merged.json');
    expect(merged.exitCode, merged.err).toBe(0);
  });
});
