import { createHash } from 'node:crypto';
import { readdirSync, readlinkSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import type { SourceEvent } from '../../../src/sources/item.js';
import { readManifest } from '../../../src/sources/manifests/registry.js';
import { row, SCHEMA } from './inventory-builder.js';

/**
 * An S3 inventory delivered in several gzip parts: the parts after the one being parsed are read
 * and decompressed ahead, and events still come in manifest order, each part's problems at its place.
 */

const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

/** Writes parts (name -> rows, gzip cut in half when `cut`) and a manifest listing `order`. */
async function inventory(parts: Record<string, { rows: number; cut?: boolean; incompressible?: boolean }>, order: string[]): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'custody-parts-'));
  dirs.push(dir);
  await mkdir(join(dir, 'data'));
  const files: object[] = [];
  const written = new Map<string, Buffer>();
  for (const [name, spec] of Object.entries(parts)) {
    // Enough rows to fill several decompression chunks, so the parts opened ahead really are read ahead.
    const tag = (j: number): string => (spec.incompressible ? createHash('sha256').update(`${name}${j}`).digest('hex').repeat(2) : String(j));
    const text = Array.from({ length: spec.rows }, (_, j) => row({ key: `${name}/object-${tag(j)}.jpg` })).join('\n');
    const gz = gzipSync(text);
    const bytes = spec.cut ? gz.subarray(0, gz.length >> 1) : gz;
    await writeFile(join(dir, 'data', `${name}.csv.gz`), bytes);
    written.set(name, bytes);
  }
  for (const name of order) {
    const bytes = written.get(name);
    const entry = { key: `inv/agency-bucket/cfg/data/${name}.csv.gz` };
    files.push(bytes ? { ...entry, size: bytes.length, MD5checksum: createHash('md5').update(bytes).digest('hex') } : { ...entry, size: 10 });
  }
  const manifest = JSON.stringify({ sourceBucket: 'agency-bucket', creationTimestamp: '1713748800000', fileFormat: 'CSV', fileSchema: SCHEMA, files });
  await writeFile(join(dir, 'manifest.json'), manifest);
  await writeFile(join(dir, 'manifest.checksum'), createHash('md5').update(manifest).digest('hex'));
  return join(dir, 'manifest.json');
}

/** Each run of events as `part:count` (items) or `reason` (coverage), in the order they came. */
function runs(events: SourceEvent[]): string[] {
  const out: string[] = [];
  let part = '';
  let count = 0;
  const close = () => {
    if (count > 0) out.push(`${part}:${count}`);
    count = 0;
  };
  for (const event of events) {
    if (event.kind === 'item') {
      const name = event.item.location.split('/')[3]!;
      if (name !== part) close();
      part = name;
      count += 1;
    } else if (event.kind === 'coverage') {
      close();
      part = '';
      out.push(event.entry.reason);
    }
  }
  close();
  return out;
}

describe('S3 inventory parts', () => {
  it('yields every part in manifest order, a missing or truncated part at its place', async () => {
    const manifest = await inventory({ b: { rows: 30_000 }, a: { rows: 20_000 }, d: { rows: 20_000, cut: true }, c: { rows: 25_000 } }, [
      'b',
      'a',
      'gone',
      'd',
      'c',
    ]);
    const events: SourceEvent[] = [];
    for await (const event of readManifest(manifest)) events.push(event);
    const seen = runs(events);
    expect(seen[0]).toBe('b:30000');
    expect(seen[1]).toBe('a:20000');
    expect(seen[2]).toBe('manifest-data-missing');
    // The cut part gives the rows before the cut, then its truncation; the next part is whole.
    expect(seen[3]).toMatch(/^d:\d+$/);
    expect(seen.slice(4)).toEqual(['manifest-truncated', 'c:25000']);
  });

  it('closes the parts it opened ahead when the reader stops early', async () => {
    // Parts larger than the read-ahead (8 MiB decompressed), and incompressible, so each still has its file open.
    const big = { rows: 40_000, incompressible: true };
    const manifest = await inventory({ a: big, b: big, c: big }, ['a', 'b', 'c']);
    const dataDir = join(manifest, '..', 'data');
    const open = () => readdirSync('/proc/self/fd').filter((fd) => readlinkOr(`/proc/self/fd/${fd}`).startsWith(dataDir)).length;
    for await (const event of readManifest(manifest)) {
      if (event.kind !== 'item') continue;
      await sleep(200); // the parts ahead fill their read-ahead
      expect(open()).toBeGreaterThan(0);
      break;
    }
    for (let wait = 0; wait < 50 && open() > 0; wait++) await sleep(20);
    expect(open()).toBe(0);
  });
});

function readlinkOr(path: string): string {
  try {
    return readlinkSync(path);
  } catch {
    return '';
  }
}
