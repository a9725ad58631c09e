import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/tmp.js';

/** The lifecycle scripts npm runs for a dependency when it is installed. */
const INSTALL_SCRIPTS = ['preinstall', 'install', 'postinstall'];

interface Manifest {
  name: string;
  version: string;
  scripts?: Record<string, string>;
  allowScripts?: Record<string, boolean>;
}

/** Every installed package (scoped and nested ones too) with the install scripts it declares. */
function installedWithScripts(modules: string, found: Map<string, string[]>): Map<string, string[]> {
  if (!existsSync(modules)) return found;
  for (const entry of readdirSync(modules, { withFileTypes: true })) {
    if (!entry.isDirectory() || entry.name.startsWith('.')) continue;
    const dirs = entry.name.startsWith('@')
      ? readdirSync(path.join(modules, entry.name), { withFileTypes: true })
          .filter((d) => d.isDirectory())
          .map((d) => path.join(modules, entry.name, d.name))
      : [path.join(modules, entry.name)];
    for (const dir of dirs) {
      const file = path.join(dir, 'package.json');
      if (!existsSync(file)) continue;
      const manifest = JSON.parse(readFileSync(file, 'utf8')) as Manifest;
      const scripts = INSTALL_SCRIPTS.filter((s) => manifest.scripts?.[s]);
      if (scripts.length > 0) found.set(manifest.name, scripts);
      installedWithScripts(path.join(dir, 'node_modules'), found);
    }
  }
  return found;
}

describe('install scripts: each dependency that has one is reviewed in package.json allowScripts', () => {
  const root = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as Manifest;
  const allow = root.allowScripts ?? {};

  it('lists every installed package with an install script (npm 12 blocks the ones it does not list)', () => {
    const withScripts = installedWithScripts(path.join(REPO_ROOT, 'node_modules'), new Map());
    // esbuild and lzma-native at least: the test would pass vacuously on a tree without them.
    expect([...withScripts.keys()]).toEqual(expect.arrayContaining(['esbuild', 'lzma-native']));
    const unreviewed = [...withScripts.keys()].filter((name) => !(name in allow)).sort();
    expect(unreviewed, 'add each to allowScripts in package.json, true or false, after reading its script').toEqual([]);
  });

  it("denies onnxruntime-node's script, which would fetch CUDA libraries from outside the npm registry", () => {
    expect(allow['onnxruntime-node']).toBe(false);
    // Older npm ignores allowScripts: the checkout's .npmrc still tells that script to skip.
    expect(readFileSync(path.join(REPO_ROOT, '.npmrc'), 'utf8')).toMatch(/^onnxruntime-node-install=skip$/m);
  });
});
