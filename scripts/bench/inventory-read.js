#!/usr/bin/env node
// @ts-check
/**
 * custody's S3 inventory reader alone, in its own process so that its time and peak RSS can be
 * measured: reads a manifest.json as the audit does (the manifest source's events in groups, see
 * src/sources/registry.ts sourceGroups) and counts the items. `--events` reads them one by one with
 * the library's readManifest instead (the per-event API).
 *   node scripts/bench/inventory-read.js <manifest.json> [--events]
 * Prints {"items":n,"events":n} as JSON. Needs a build (dist/).
 */
const entry = new URL('../../dist/sources/manifests/index.js', import.meta.url);
const { manifestSource, readManifest } = await import(entry.href);

const manifest = process.argv[2];
if (!manifest) {
  process.stderr.write('usage: inventory-read.js <manifest.json> [--events]\n');
  process.exit(2);
}
let items = 0;
let events = 0;
if (process.argv.includes('--events')) {
  for await (const event of readManifest(manifest)) {
    events += 1;
    if (event.kind === 'item') items += 1;
  }
} else {
  for await (const group of manifestSource.events({ source: 'manifest', path: manifest }).groups()) {
    for (const event of group) {
      events += 1;
      if (event.kind === 'item') items += 1;
    }
  }
}
process.stdout.write(`${JSON.stringify({ items, events })}\n`);
