import { execFileSync } from 'node:child_process';
import { lstatSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileContent } from '../../src/sources/file-content.js';
import { specialKind } from '../../src/util/file-kind.js';
import { readInputFile } from '../../src/util/input-file.js';
import { expand, locations, makeTempDir } from '../sources/archives/support/harness.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => ({ dir, cleanup } = await makeTempDir()));
afterAll(() => cleanup());

describe('one way to open evidence, one name for special files', () => {
  it('a zip path that is a FIFO opens at once and is reported, not waited on (before: no O_NONBLOCK in the zip copy)', async () => {
    const fifo = path.join(dir, 'pipe.zip');
    execFileSync('mkfifo', [fifo]);
    const zipLike = Buffer.concat([Buffer.from('PK\x03\x04'), Buffer.alloc(40)]);
    const real = path.join(dir, 'real.zip');
    writeFileSync(real, zipLike);
    const item = { location: 'pipe.zip', origin: 'filesystem' as const, size: zipLike.length, content: fileContent(real, zipLike.length) };
    const result = await expand(item, { filePath: fifo });
    expect(locations(result)).toEqual([]);
    expect(result.coverage.map((entry) => entry.incomplete)).toEqual([true]);
  }, 5000);

  it('names special files the same in the walk and for flag inputs', async () => {
    const fifo = path.join(dir, 'input-fifo');
    execFileSync('mkfifo', [fifo]);
    expect(specialKind(lstatSync(fifo))).toBe('FIFO');
    expect(specialKind(statSync(dir))).toBe('directory');
    expect(specialKind(statSync('/dev/null'))).toBe('character device');
    expect(specialKind(statSync(path.join(dir, 'real.zip')))).toBeUndefined();
    await expect(readInputFile(fifo, 100)).rejects.toThrow('is a FIFO, not a regular file');
    await expect(readInputFile('/dev/null', 100)).rejects.toThrow('is a character device, not a regular file');
  });
});
