#!/usr/bin/env node
// Empties dist/ before a build: tsc never deletes the output of a module that was moved or removed,
// and `npm pack` would ship it (a stale dist/fingerprint/load.js beside dist/references/load.js).
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

await rm(path.join(path.dirname(fileURLToPath(import.meta.url)), '../dist'), { recursive: true, force: true });
