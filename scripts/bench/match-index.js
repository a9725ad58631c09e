#!/usr/bin/env node
// Reference-index benchmark: multi-index hashing vs a linear scan at 100,000 references.
// Build first (npm run build), then: node scripts/bench/match-index.js [references] [variants]
// The library is imported by URL at run time so that typechecking does not require a build.
const entry = new URL('../../dist/identify/pdq/index-bench.js', import.meta.url);
const { runIndexBench } = await import(entry.href).catch(() => {
  process.stderr.write(`cannot load ${entry.pathname}: run "npm run build" first\n`);
  process.exit(2);
});

const references = Number(process.argv[2] ?? 100_000);
const variantsPerReference = Number(process.argv[3] ?? 1);
const figures = await runIndexBench({ references, variantsPerReference });
process.stdout.write(`${JSON.stringify(figures, null, 2)}\n`);
