import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, expect, it } from 'vitest';
import type { SourceEvent } from '../../../src/sources/item.js';
import { readManifest } from '../../../src/sources/manifests/registry.js';
import { tempDir } from '../../support/tmp.js';
import { row, SCHEMA } from './inventory-builder.js';

let cleanup: (() => Promise<void>) | undefined;
afterEach(async () => cleanup?.());

// Parts are opened two ahead of the one being read. A plain (not gzip) part opened ahead once
// flowed straight to its MD5 while nothing read its records: the checksums passed, the rows were lost.
it('plain CSV parts opened ahead keep every row while the consumer is busy with the first object', async () => {
  const made = await tempDir();
  cleanup = made.cleanup;
  const dir = made.dir;
  await mkdir(path.join(dir, 'data'));
  const files: object[] = [];
  for (const name of ['a', 'b', 'c']) {
    const bytes = Buffer.from(Array.from({ length: 2000 }, (_, j) => row({ key: `${name}/object-${j}.jpg` })).join('\n'));
    await writeFile(path.join(dir, 'data', `${name}.csv`), bytes);
    files.push({ key: `inv/agency-bucket/cfg/data/${name}.csv`, size: bytes.length, MD5checksum: createHash('md5').update(bytes).digest('hex') });
  }
  const manifest = JSON.stringify({ sourceBucket: 'agency-bucket', creationTimestamp: '1713748800000', fileFormat: 'CSV', fileSchema: SCHEMA, files });
  await writeFile(path.join(dir, 'manifest.json'), manifest);
  await writeFile(path.join(dir, 'manifest.checksum'), createHash('md5').update(manifest).digest('hex'));
  const events: SourceEvent[] = [];
  for await (const event of readManifest(path.join(dir, 'manifest.json'))) {
    if (events.length === 0) await sleep(200); // an audit's detectors busy with the first object
    events.push(event);
  }
  expect(events.filter((e) => e.kind === 'coverage')).toEqual([]);
  const keys = events.flatMap((e) => (e.kind === 'item' ? [e.item.location] : []));
  expect(keys).toHaveLength(6000);
  expect(keys.at(-1)).toMatch(/c\/object-1999\.jpg$/);
});
