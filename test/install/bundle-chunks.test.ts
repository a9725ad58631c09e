import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/tmp.js';

const BIN = path.join(REPO_ROOT, 'dist', 'bin');
const BANNER = "import { createRequire as __custodyRequire } from 'node:module'; const require = __custodyRequire(import.meta.url);";

/**
 * The bundled CLI (scripts/build.js): every chunk an audit loads once paid for a `require` of its
 * own (an import of node:module, an import.meta and a createRequire each); only the chunk holding
 * esbuild's `__require`, through which bundled CommonJS packages load Node's modules, needs one.
 */
describe('dist/bin chunks (global setup builds them)', () => {
  it('keep the require banner where esbuild\u2019s __require reads it, and drop it almost everywhere else', async () => {
    const files = (await readdir(BIN)).filter((name) => name.endsWith('.js'));
    const texts = await Promise.all(files.map(async (name) => ({ name, text: await readFile(path.join(BIN, name), 'utf8') })));
    const runtime = texts.filter(({ text }) => text.includes('var __require = '));
    expect(runtime.length).toBeGreaterThan(0);
    for (const { text } of runtime) expect(text.startsWith(`${BANNER}\n`)).toBe(true);
    const withBanner = texts.filter(({ text }) => text.startsWith(BANNER));
    // The runtime chunk(s), plus the odd chunk whose text says "require" in a string (kept: harmless).
    expect(withBanner.length).toBeLessThanOrEqual(runtime.length + 3);
    expect(files.length).toBeGreaterThan(withBanner.length + 10);
  });
});

describe('dist/bin/custody.cjs (the bundle bin/custody.js runs)', () => {
  it('makes no import() of its own: each is the loader\u2019s __custodyImport (a vm.Script cannot import in Node 20)', async () => {
    const text = await readFile(path.join(BIN, 'custody.cjs'), 'utf8');
    expect(text).not.toMatch(/(?<![\w$.])import\(/);
    expect(text).toMatch(/__custodyImport\("sharp"\)/);
  });
});
