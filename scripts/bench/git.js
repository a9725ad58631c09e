#!/usr/bin/env node
// @ts-check
/**
 * Git history bench: what auditing a repository's history costs against the same bytes as plain
 * files, and Debian's git against a pure-JS reader. Each case runs in its own process (peak RSS).
 * The repository holds `MiB` (default 200) of incompressible blobs (like JPEGs), 512 KiB each,
 * committed in four commits and each deleted again (history only), then packed: one pack of about
 * `MiB` (the second argument sets the blob size). Cases:
 * 1. `plain`: the same files on disk, walked and read whole (src/sources/filesystem.ts).
 * 2. `git`: every blob through the git source (src/sources/git-source.ts): listing, naming, reading.
 * 3. `audit-plain` / `audit-git`: `custody audit` of the files / of the repository (every detector).
 * 4. `isomorphic-git`: `readBlob` of every blob with isomorphic-git, when ISOGIT names a directory
 *    where it is installed (`npm install --prefix /tmp/isogit isomorphic-git`); it is not a dependency.
 * Needs git and a build (npm run build).
 * Run: node scripts/bench/git.js [MiB] [KiB per blob]   (e.g. `40 4` for 10,240 small blobs: objects/s)
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const self = fileURLToPath(import.meta.url);
const bin = path.join(path.dirname(self), '..', '..', 'bin', 'custody.js');
const [, , mode, dir] = process.argv;
const BLOB = Number(process.argv[3] && mode !== '--case' ? process.argv[3] : 512) * 1024;

/** @param {number} started @param {number} bytes @param {number} blobs */
const result = (started, bytes, blobs) => ({
  seconds: (performance.now() - started) / 1000,
  bytes,
  blobs,
  peakRssMB: Math.round(process.resourceUsage().maxRSS / 1024),
});

if (mode === '--case' && dir) {
  const which = process.argv[4];
  const started = performance.now();
  let bytes = 0;
  let blobs = 0;
  if (which === 'plain') {
    const { walkFilesystem } = await import('../../dist/sources/filesystem.js');
    for await (const event of walkFilesystem(path.join(dir, 'plain'))) {
      if (event.kind === 'item') (bytes += (await event.item.content?.readAll())?.length ?? 0), blobs++;
    }
  } else if (which === 'git') {
    const { gitHistoryEvents } = await import('../../dist/sources/git-source.js');
    for await (const event of gitHistoryEvents(path.join(dir, 'repo', '.git'), 'repo/.git')) {
      if (event.kind === 'item') (bytes += (await event.item.content?.readAll())?.length ?? 0), blobs++;
    }
  } else if (which === 'isomorphic-git') {
    const { createRequire } = await import('node:module');
    const require = createRequire(path.join(process.env.ISOGIT ?? '', 'node_modules', 'x.js'));
    const pkg = 'isomorphic-git'; // Not a dependency: named through a variable so the type check does not look for it.
    const git = require(pkg);
    const fs = await import('node:fs');
    const list = execFileSync('git', ['cat-file', '--batch-all-objects', '--batch-check=%(objectname) %(objecttype)'], { cwd: path.join(dir, 'repo'), encoding: 'utf8' });
    const oids = list.split('\n').flatMap((line) => (line.endsWith(' blob') ? [line.split(' ')[0]] : []));
    const cache = {};
    for (const oid of oids) {
      const { blob } = await git.readBlob({ fs, dir: path.join(dir, 'repo'), oid, cache });
      bytes += blob.length;
      blobs++;
    }
  } else {
    const target = which === 'audit-git' ? ['--git', 'repo'] : ['plain'];
    const run = spawnSync(process.execPath, [bin, 'audit', ...target, '-f', 'fp.json', '--no-cache', '--format', 'json', '-o', 'report.json'], { cwd: dir, encoding: 'utf8' });
    if (run.status !== 0) throw new Error(`audit exited ${run.status}: ${run.stderr}`);
    const report = JSON.parse(execFileSync('cat', [path.join(dir, 'report.json')], { encoding: 'utf8' }));
    // The bytes audited, not those read: a plain file whose size no reference has is never read whole,
    // while a blob must come out of the pack to be inspected at all.
    bytes = report.summary.bytesSeen;
    blobs = report.summary.filesInspected;
  }
  console.log(JSON.stringify(result(started, bytes, blobs)));
} else {
  const mib = Number(mode ?? 200);
  const work = await mkdtemp(path.join(os.tmpdir(), 'custody-git-bench-'));
  try {
    const repo = path.join(work, 'repo');
    const plain = path.join(work, 'plain');
    await mkdir(repo, { recursive: true });
    await mkdir(plain, { recursive: true });
    const env = { ...process.env, GIT_CONFIG_GLOBAL: '/dev/null', GIT_AUTHOR_NAME: 'b', GIT_AUTHOR_EMAIL: 'b@b', GIT_COMMITTER_NAME: 'b', GIT_COMMITTER_EMAIL: 'b@b' };
    const git = (/** @type {string[]} */ args) => execFileSync('git', args, { cwd: repo, env, stdio: 'ignore' });
    git(['init', '-q']);
    const count = Math.ceil((mib * 1024 * 1024) / BLOB);
    for (let batch = 0; batch < 4; batch++) {
      const names = [];
      for (let i = batch; i < count; i += 4) {
        const bytes = randomBytes(BLOB);
        names.push(`f${i}.bin`);
        await writeFile(path.join(repo, `f${i}.bin`), bytes);
        await writeFile(path.join(plain, `f${i}.bin`), bytes);
      }
      git(['add', '-A']);
      git(['commit', '-qm', `batch ${batch}`]);
      for (const name of names) await rm(path.join(repo, name));
      git(['add', '-A']);
      git(['commit', '-qm', `delete ${batch}`]);
    }
    git(['repack', '-a', '-d', '-q']);
    await writeFile(path.join(work, 'ref.bin'), randomBytes(1000));
    execFileSync(process.execPath, [bin, 'fingerprint', path.join(work, 'ref.bin'), '--out', path.join(work, 'fp.json')], { stdio: 'ignore' });
    const packMB = Number(execFileSync('sh', ['-c', 'du -sm .git/objects/pack | cut -f1'], { cwd: repo, encoding: 'utf8' }).trim());
    console.log(`${count} blobs of ${BLOB / 1024} KiB in history (one pack of ${packMB} MB), the same files on disk`);
    const cases = ['plain', 'git', 'audit-plain', 'audit-git', ...(process.env.ISOGIT ? ['isomorphic-git'] : [])];
    for (const name of cases) {
      const run = spawnSync('/usr/bin/time', ['-f', '%M', process.execPath, self, '--case', work, name], { encoding: 'utf8' });
      if (run.status !== 0) {
        console.log(`${name}: failed (${run.stderr.trim().split('\n').slice(-3).join(' / ')})`);
        continue;
      }
      const r = JSON.parse(run.stdout.trim().split('\n').pop() ?? '{}');
      // /usr/bin/time's %M is the largest RSS of the process and of its children (the audit, git).
      const peak = Math.round(Number(run.stderr.trim().split('\n').pop()) / 1024);
      const mbps = r.bytes / 1048576 / r.seconds;
      const own = name.startsWith('audit') ? '' : `node ${r.peakRssMB} MB, `;
      console.log(`${name}: ${r.seconds.toFixed(2)} s, ${mbps.toFixed(1)} MiB/s, ${(r.blobs / r.seconds).toFixed(0)} objects/s, peak RSS ${own}largest process ${peak} MB`);
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
