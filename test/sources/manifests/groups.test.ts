import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { SourceEvent } from '../../../src/sources/item.js';
import { manifestSource } from '../../../src/sources/manifests/index.js';
import { readManifest, readManifestGroups } from '../../../src/sources/manifests/registry.js';
import { boundedRowProblems, MAX_ROW_PROBLEMS } from '../../../src/sources/manifests/row-problems.js';
import { hasGroups } from '../../../src/sources/source.js';
import { row, writeInventory } from './inventory-builder.js';

/**
 * The manifest source hands the audit its events in groups (one per parsed slice of an inventory):
 * the same events in the same order as readManifest, row problems bounded across group borders.
 */

const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

/** 6,000 rows, every 20th one with a Size that is not a byte count (300 problems over many groups). */
async function inventory(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'custody-groups-'));
  dirs.push(dir);
  const lines = Array.from({ length: 6000 }, (_, i) => row({ key: `lane+${i % 7}/img%2F${i}.jpg`, size: i % 20 === 7 ? '12a' : String(i) }));
  return writeInventory(dir, lines);
}

describe('manifest events in groups', () => {
  it('gives the audit the events of readManifest, in order, in several groups', async () => {
    const manifest = await inventory();
    const one: SourceEvent[] = [];
    for await (const event of readManifest(manifest)) one.push(event);
    const events = manifestSource.events({ source: 'manifest', path: manifest });
    expect(hasGroups(events)).toBe(true);
    if (!hasGroups(events)) return;
    const grouped: SourceEvent[] = [];
    let groups = 0;
    for await (const group of events.groups()) {
      groups += 1;
      grouped.push(...group);
    }
    expect(groups).toBeGreaterThan(10);
    expect(grouped).toEqual(one);
    expect(one.filter((e) => e.kind === 'item')).toHaveLength(6000 - 300);
    expect(one.filter((e) => e.kind === 'item')[0]).toMatchObject({ item: { location: 's3://agency-bucket/lane 0/img/0.jpg' } });
  });

  it(`lists the first ${MAX_ROW_PROBLEMS} bad rows across group borders and counts the rest`, async () => {
    const manifest = await inventory();
    const rows: string[] = [];
    let items = 0;
    for await (const group of readManifestGroups(manifest)) {
      for (const event of group) {
        if (event.kind === 'item') items += 1;
        if (event.kind === 'coverage' && event.entry.reason === 'manifest-row') rows.push(`${event.entry.location.split(':').pop()} ${event.entry.detail}`);
      }
    }
    expect(items).toBe(5700);
    expect(rows).toHaveLength(MAX_ROW_PROBLEMS + 1);
    // Row i is on line i + 1; the bad ones are i = 7, 27, 47, ...
    expect(rows.slice(0, MAX_ROW_PROBLEMS)).toEqual(Array.from({ length: MAX_ROW_PROBLEMS }, (_, k) => `${8 + 20 * k} Size is not a byte count`));
    expect(rows[MAX_ROW_PROBLEMS]).toMatch(/^.* 200 more malformed row\(s\) not listed \(300 in all/);
  });

  it('keeps the first rows of a group that straddles the limit and drops the rest', async () => {
    const bad = (n: number): SourceEvent => ({ kind: 'coverage', entry: { location: `f:${n}`, reason: 'manifest-row', detail: 'bad', incomplete: true } });
    const ok = (n: number): SourceEvent => ({ kind: 'notice', notice: { location: `f:${n}`, level: 'info', message: 'ok' } });
    // 3 problems, then a group of 4 problems and a notice: with a limit of 5, two of its problems pass.
    async function* groups(): AsyncGenerator<readonly SourceEvent[]> {
      yield [bad(1), bad(2), ok(3), bad(4)];
      yield [bad(5), ok(6), bad(7), bad(8), bad(9)];
    }
    const seen: string[] = [];
    for await (const group of boundedRowProblems(groups(), 'f', 5))
      for (const e of group) seen.push(e.kind === 'coverage' ? e.entry.location : `ok ${e.kind === 'notice' ? e.notice.location : ''}`);
    expect(seen).toEqual(['f:1', 'f:2', 'ok f:3', 'f:4', 'f:5', 'ok f:6', 'f:7', 'f']);
  });
});
