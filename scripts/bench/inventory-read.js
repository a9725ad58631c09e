#!/usr/bin/env node
// @ts-check
/**
 * custody's S3 inventory reader alone, in its own process so that its time and peak RSS can be
 * measured: reads a manifest.json with the library's readManifest and counts the items.
 *   node scripts/bench/inventory-read.js <manifest.json>
 * Prints {"items":n,"events":n} as JSON. Needs a build (dist/).
 */
const entry = new URL('../../dist/sources/manifests/index.js', import.meta.url);
const { readManifest } = await import(entry.href);

const manifest = process.argv[2];
if (!manifest) {
  process.stderr.write('usage: inventory-read.js <manifest.json>\n');
  process.exit(2);
}
let items = 0;
let events = 0;
for await (const event of readManifest(manifest)) {
  events += 1;
  if (event.kind === 'item') items += 1;
}
process.stdout.write(`${JSON.stringify({ items, events })}\n`);
