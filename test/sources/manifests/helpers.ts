import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CoverageEntry, Item, Notice, SourceEvent } from '../../../src/sources/item.js';
import { type ReadManifestOptions, readManifest } from '../../../src/sources/manifests/registry.js';

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const FIXTURES = join(REPO, 'fixtures', 'manifests');
export const SHARED_FORMATS = join(resolve(REPO, '..', 'shared'), 'formats');
const sharedPresent = existsSync(SHARED_FORMATS);
if (!sharedPresent) {
  console.warn(`manifest tests: ${SHARED_FORMATS} is absent, so tests on the real samples are skipped (fixture copies still run)`);
}

/** Where sample files live: the fixture copies always, the real samples in ../shared when present. */
export const SAMPLE_ROOTS: ReadonlyArray<{ name: string; dir: string; present: boolean }> = [
  { name: 'fixture copies', dir: FIXTURES, present: true },
  { name: 'real samples in ../shared/formats', dir: SHARED_FORMATS, present: sharedPresent },
];

export interface Collected {
  events: SourceEvent[];
  items: Item[];
  coverage: CoverageEntry[];
  notices: Notice[];
}

/** Every event of one manifest, split by kind. */
export async function collect(path: string, opts?: ReadManifestOptions): Promise<Collected> {
  const events: SourceEvent[] = [];
  for await (const event of readManifest(path, opts)) events.push(event);
  return {
    events,
    items: events.flatMap((e) => (e.kind === 'item' ? [e.item] : [])),
    coverage: events.flatMap((e) => (e.kind === 'coverage' ? [e.entry] : [])),
    notices: events.flatMap((e) => (e.kind === 'notice' ? [e.notice] : [])),
  };
}

/** The item at `location`, failing loudly when absent. */
export function itemAt(items: readonly Item[], location: string): Item {
  const found = items.find((i) => i.location === location);
  if (!found) throw new Error(`no item at ${location}; have ${items.map((i) => i.location).join(', ')}`);
  return found;
}
