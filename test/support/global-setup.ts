import { existsSync, readdirSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { REPO_ROOT } from './tmp.js';

/** Newest modification time under a folder (source files only). */
function newest(dir: string): number {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newest(full) : statSync(full).mtimeMs);
  }
  return latest;
}

/**
 * Tests that spawn bin/custody.js (or scripts) run the built dist/ (the CLI from its bundle in
 * dist/bin/), and in-process tests load the WebAssembly kernels and worker scripts from there.
 * `npm ci` builds it (the prepare script); this rebuilds it only when src/ changed since, so a local
 * `npm test` never tests stale code and CI does not build twice.
 */
export default async function setup(): Promise<() => Promise<void>> {
  // Spawned CLIs inherit this environment: their re-audit cache goes to a throwaway folder, never
  // the developer's ~/.cache. (In-process runs get their env from the test's Io, which names no home.)
  const cacheHome = await mkdtemp(path.join(os.tmpdir(), 'custody-test-cache-'));
  process.env['XDG_CACHE_HOME'] = cacheHome;
  const teardown = () => rm(cacheHome, { recursive: true, force: true });
  // The bundle comes after tsc and the kernels in the build: when it is newer than every source, so is the rest.
  const entry = path.join(REPO_ROOT, 'dist', 'bin', 'run.js');
  if (existsSync(entry) && statSync(entry).mtimeMs >= newest(path.join(REPO_ROOT, 'src'))) return teardown;
  await execa('npm', ['run', '--silent', 'build'], { cwd: REPO_ROOT, stdio: 'inherit' });
  return teardown;
}
