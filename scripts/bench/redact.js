#!/usr/bin/env node
// Redaction benchmark: masking agency plates in N distinct file names (no name holds a plate, the
// common case: every candidate spelling is looked up), with and without the plate set's shape gate.
// Build first (npm run build), then: node scripts/bench/redact.js [names] [plates]
// The library is imported by URL at run time so that typechecking does not require a build.
const load = async (/** @type {string} */ file) =>
  import(new URL(`../../dist/${file}`, import.meta.url).href).catch(() => {
    process.stderr.write(`cannot load dist/${file}: run "npm run build" first\n`);
    process.exit(2);
  });
const { plateRedactor } = await load('postprocess/redact.js');
const { buildPlateSet } = await load('identify/plates/agency.js');

const count = Number(process.argv[2] ?? 100_000);
const plateCount = Number(process.argv[3] ?? 1000);
const key = Buffer.from('bench-plate-key-0123456789abcdef');
const plates = Array.from({ length: plateCount }, (_, i) => `ABC${String(1000 + i)}`);
const names = Array.from({ length: count }, (_, i) => `corp/share/2026-11-${i % 30}/lane-${i % 7}/IMG_20261101_${i}_XK ${i % 977} ${i}.jpg`);
const set = buildPlateSet(plates, key, []);
/** @type {Record<string, unknown>} */
const figures = { names: count, plates: plateCount };
for (const [label, plateSet] of [['ungated', { ...set, shapes: undefined }], ['gated', set]]) {
  const redact = plateRedactor({ plateSets: [plateSet] }, key);
  const started = performance.now();
  let masked = 0;
  for (const name of names) if (redact(name) !== name) masked++;
  const ms = performance.now() - started;
  figures[label] = { ms: Math.round(ms), usPerName: Number(((ms * 1000) / count).toFixed(1)), masked };
}
process.stdout.write(`${JSON.stringify(figures, null, 2)}\n`);
