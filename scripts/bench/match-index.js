#!/usr/bin/env node
// Reference-index benchmark: multi-index hashing vs a linear scan at 100,000 references.
// Build first: npx tsc -p tsconfig.build.json ; then: node scripts/bench/match-index.js [references] [variants]
import { runIndexBench } from '../../dist/identify/pdq/index-bench.js';

const references = Number(process.argv[2] ?? 100_000);
const variantsPerReference = Number(process.argv[3] ?? 1);
const figures = await runIndexBench({ references, variantsPerReference });
process.stdout.write(`${JSON.stringify(figures, null, 2)}\n`);
