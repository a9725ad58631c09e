#!/usr/bin/env node
// @ts-check
/**
 * bzip2 bench: wall time and peak RSS of expanding bzip2 streams, each case in its own process.
 * 1. `data`: a .tar.bz2 of one member of random bytes (default 20 MiB), every member read whole.
 * 2. `bomb`: a .bz2 of 1 GiB of zeros (under 1 kB): stopped by maxCompressionRatio after its first
 *    block. unbzip2-stream's own stream wrapper held that block (about 46 MB) as a JavaScript array:
 *    873 MB peak RSS for 50 MB of zeros; custody's wrapper writes Buffers (see containers/bzip2.ts).
 * Needs the bzip2 binary and a build (npx tsc -p tsconfig.build.json).
 * Run: node scripts/bench/bzip2.js [MiB]
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
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
  const reasons = [];
  for await (const event of expandArchive({ location: path.basename(file), origin: 'filesystem', size, content }, sniff(await content.head(512)))) {
    if (event.kind === 'item') bytes += (await event.item.content?.readAll())?.length ?? 0;
    else if (event.kind === 'coverage') reasons.push(event.entry.reason);
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  console.log(JSON.stringify({ seconds, bytes, reasons, peakRssMB: Math.round(process.resourceUsage().maxRSS / 1024) }));
} else {
  const mib = Number(mode ?? 20);
  const dir = await mkdtemp(path.join(os.tmpdir(), 'custody-bzip2-bench-'));
  try {
    const tar = path.join(dir, 'data.tar');
    execFileSync('sh', ['-c', `head -c ${mib * 1024 * 1024} /dev/urandom > "${dir}/data.bin" && tar -C "${dir}" -cf "${tar}" data.bin && bzip2 -9 "${tar}"`]);
    execFileSync('sh', ['-c', `head -c 1073741824 /dev/zero | bzip2 -9 > "${dir}/zeros.bz2"`]);
    await writeFile(path.join(dir, 'README'), 'bench inputs\n');
    /** @type {[string, string][]} */
    const cases = [
      [`data: .tar.bz2 of ${mib} MiB random`, `${tar}.bz2`],
      ['bomb: .bz2 of 1 GiB of zeros', path.join(dir, 'zeros.bz2')],
    ];
    for (const [name, input] of cases) {
      const run = spawnSync(process.execPath, [self, '--case', input], { encoding: 'utf8' });
      const result = JSON.parse(run.stdout);
      const rate = result.bytes > 0 ? `, ${(result.bytes / 1048576 / result.seconds).toFixed(1)} MiB/s` : '';
      console.log(`${name}: ${result.seconds.toFixed(2)} s${rate}, peak RSS ${result.peakRssMB} MB, coverage [${result.reasons.join(', ')}]`);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
