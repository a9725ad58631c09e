#!/usr/bin/env node
// @ts-check
/**
 * Archive kinds bench (issue #18 item 1): the audit cost of each container kind against the plain
 * file. One tar of real files (the shared image corpora, about 60 MiB, or random bytes when absent)
 * is packed as .tar, .tar.xz, .tar.zst, .7z and, for scale, the reference tools' own decode time;
 * each case is expanded in its own process, every member read whole, and the rate is of the member
 * bytes read. Bombs of each kind (1 GiB of zeros) must stop on a limit with a small peak RSS.
 * Needs xz, zstd, 7zz (apt-get install xz-utils zstd 7zip; a case whose tool is absent is skipped)
 * and a build (npx tsc -p tsconfig.build.json).
 * Run: node scripts/bench/archives.js [corpus folder]
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const self = fileURLToPath(import.meta.url);
const [, , mode, file] = process.argv;

if (mode === '--case' && file) {
  const { expandArchive } = await import('../../dist/sources/archives/index.js');
  const { sniff } = await import('../../dist/sources/sniff.js');
  const { fileContent } = await import('../../dist/sources/file-content.js');
  const { statSync } = await import('node:fs');
  const size = statSync(file).size;
  const content = fileContent(file, size);
  const started = process.hrtime.bigint();
  let bytes = 0;
  let members = 0;
  const reasons = [];
  /** @type {import('../../dist/sources/item.js').Item} */
  const item = { location: path.basename(file), origin: 'filesystem', size, content };
  for await (const event of expandArchive(item, sniff(await content.head(512)), { filePath: file })) {
    if (event.kind === 'item') {
      members++;
      bytes += (await event.item.content?.readAll())?.length ?? 0;
    } else if (event.kind === 'coverage') reasons.push(event.entry.reason);
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  console.log(JSON.stringify({ seconds, bytes, members, reasons, peakRssMB: Math.round(process.resourceUsage().maxRSS / 1024) }));
} else {
  const repo = path.resolve(path.dirname(self), '../..');
  const corpus = mode ?? [path.resolve(repo, '../shared/corpora'), path.resolve(repo, '../../shared/corpora')].find((folder) => existsSync(folder)) ?? '';
  const dir = await mkdtemp(path.join(os.tmpdir(), 'custody-archives-bench-'));
  /** @param {string} tool */
  const has = (tool) => spawnSync(tool, ['--help'], { stdio: 'ignore' }).error === undefined;
  /** @param {string} command */
  const sh = (command) => execFileSync('sh', ['-c', command], { cwd: dir, stdio: ['ignore', 'ignore', 'inherit'] });
  /** @param {string} command */
  const timed = (command) => {
    const started = process.hrtime.bigint();
    sh(command);
    return Number(process.hrtime.bigint() - started) / 1e9;
  };
  try {
    // 7z packs the same files as the tar (not the tar itself, whose members would then count twice).
    let files = 'data.bin';
    if (corpus && existsSync(corpus)) {
      sh(`tar -C "${path.dirname(corpus)}" -cf data.tar "${path.basename(corpus)}"`);
      files = `"${corpus}"`;
    } else sh('head -c 62914560 /dev/urandom > data.bin && tar -cf data.tar data.bin');
    sh('head -c 1073741824 /dev/zero > zeros.bin');
    /** @type {[string, string, string, string, string][]} kind, tool, file, pack command, reference decode */
    const kinds = [
      ['tar (plain)', 'tar', 'data.tar', 'true', 'cat data.tar > /dev/null'],
      ['tar.xz', 'xz', 'data.tar.xz', 'xz -T2 -k data.tar && xz -T2 -c zeros.bin > zeros.xz', 'xz -dc data.tar.xz > /dev/null'],
      ['tar.zst', 'zstd', 'data.tar.zst', 'zstd -q -k data.tar && zstd -q -c zeros.bin > zeros.zst', 'zstd -dcq data.tar.zst > /dev/null'],
      ['7z (LZMA2)', '7zz', 'data.7z', `7zz a -bd -mmt2 data.7z ${files} > /dev/null && 7zz a -bd zeros.7z zeros.bin > /dev/null`, '7zz e -so data.7z > /dev/null'],
    ];
    let plain = 0;
    for (const [kind, tool, name, pack, reference] of kinds) {
      if (!has(tool)) {
        console.log(`${kind}: skipped (${tool} is absent)`);
        continue;
      }
      sh(pack);
      const tools = timed(reference);
      const run = spawnSync(process.execPath, [self, '--case', path.join(dir, name)], { encoding: 'utf8' });
      const result = JSON.parse(run.stdout);
      const rate = result.bytes / 1048576 / result.seconds;
      if (kind.startsWith('tar ')) plain = rate;
      const against = plain > 0 && !kind.startsWith('tar ') ? `, ${(rate / plain).toFixed(2)}x the plain tar` : '';
      console.log(
        `${kind}: ${result.members} members, ${(result.bytes / 1048576).toFixed(1)} MiB in ${result.seconds.toFixed(2)} s = ${rate.toFixed(1)} MiB/s${against}; ` +
          `${tool} alone ${tools.toFixed(2)} s; peak RSS ${result.peakRssMB} MB; coverage [${result.reasons.join(', ')}]`,
      );
    }
    /** @type {[string, string, string][]} */
    const bombs = [['xz', 'xz', 'zeros.xz'], ['zstd', 'zstd', 'zeros.zst'], ['7z', '7zz', 'zeros.7z']];
    for (const [kind, tool, name] of bombs) {
      if (!has(tool) || !existsSync(path.join(dir, name))) continue;
      const run = spawnSync(process.execPath, [self, '--case', path.join(dir, name)], { encoding: 'utf8' });
      const result = JSON.parse(run.stdout);
      console.log(`bomb ${kind} (1 GiB of zeros): ${result.seconds.toFixed(2)} s, peak RSS ${result.peakRssMB} MB, coverage [${result.reasons.join(', ')}]`);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
