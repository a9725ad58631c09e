#!/usr/bin/env node
// @ts-check
/**
 * Outlook .msg bench (issue #18): the audit cost of a .msg against the same attachments as plain
 * files, each case in its own process, alternating, median of 3 (wall time, MiB/s of the input, peak
 * RSS sampled every 10 ms).
 * - `plain`: the attachments as files, each read whole (what the detectors get);
 * - `walk`: expandArchive over the .msg (cfb reads and rewrites it, msgreader reads the message),
 *   every member read whole.
 * The same for a Word-like compound file that is not a message (read, recognised, recorded).
 * Needs a build (npm run build). Run: node scripts/bench/msg.js [MiB, default 20]
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const self = fileURLToPath(import.meta.url);
const [, , mode, input, how] = process.argv;

if (mode === '--case' && input) {
  const { expandArchive } = await import('../../dist/sources/archives/index.js');
  const { sniff } = await import('../../dist/sources/sniff.js');
  const { fileContent } = await import('../../dist/sources/file-content.js');
  let peak = process.memoryUsage().rss;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 10);
  const started = process.hrtime.bigint();
  let size = 0;
  let members = 0;
  const reasons = new Set();
  if (how === 'plain') {
    for (const name of (await readFile(input, 'utf8')).split('\n').filter(Boolean)) size += (await readFile(name)).length;
  } else {
    size = (await stat(input)).size;
    const content = fileContent(input, size);
    const item = { location: path.basename(input), origin: /** @type {const} */ ('filesystem'), size, content };
    for await (const event of expandArchive(item, sniff(await content.head(512)), { filePath: input })) {
      if (event.kind === 'item') {
        members++;
        await event.item.content?.readAll();
      } else if (event.kind === 'coverage') reasons.add(event.entry.reason);
    }
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  clearInterval(sampler);
  console.log(JSON.stringify({ seconds, size, members, reasons: [...reasons], peakRssMB: Math.round(Math.max(peak, process.memoryUsage().rss) / 2 ** 20) }));
} else {
  const mib = Number(mode ?? 20);
  const CFB = createRequire(import.meta.url)('cfb');
  const dir = await mkdtemp(path.join(os.tmpdir(), 'custody-msg-bench-'));
  const at = (/** @type {string} */ name) => path.join(dir, name);
  const utf16 = (/** @type {string} */ text) => Buffer.from(text, 'utf16le');
  try {
    // Ten JPEG-headed attachments making `mib` MiB, as plain files and in one message ([MS-OXMSG] streams).
    const msg = CFB.utils.cfb_new();
    const add = (/** @type {string} */ name, /** @type {Buffer} */ data) => CFB.utils.cfb_add(msg, name, data, { unsafe: true });
    add('/__properties_version1.0', Buffer.alloc(32));
    add('/__substg1.0_0037001F', utf16('lane export'));
    add('/__substg1.0_1000001F', utf16('reads attached\n'));
    await mkdir(at('plain'));
    const names = [];
    for (let i = 0; i < 10; i++) {
      const data = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), randomBytes((mib * 1024 * 1024) / 10)]);
      const folder = `/__attach_version1.0_#${String(i).padStart(8, '0')}`;
      add(`${folder}/__properties_version1.0`, Buffer.alloc(8));
      add(`${folder}/__substg1.0_3707001F`, utf16(`cam-${i}.jpg`));
      add(`${folder}/__substg1.0_37010102`, data);
      names.push(at(`plain/cam-${i}.jpg`));
      await writeFile(names.at(-1) ?? '', data);
    }
    await writeFile(at('plain.list'), names.join('\n'));
    await writeFile(at('export.msg'), CFB.write(msg, { type: 'buffer' }));
    const doc = CFB.utils.cfb_new();
    CFB.utils.cfb_add(doc, '/WordDocument', randomBytes(mib * 1024 * 1024), { unsafe: true });
    await writeFile(at('minutes.doc'), CFB.write(doc, { type: 'buffer' }));
    /** @type {[string, string, string][]} */
    const cases = [
      ['plain: the 10 attachments as files (read whole)', at('plain.list'), 'plain'],
      ['.msg holding them (walk, members read whole)', at('export.msg'), 'walk'],
      ['.doc of the same size (recognised, recorded)', at('minutes.doc'), 'walk'],
    ];
    /** @type {Record<string, {seconds: number, size: number, members: number, reasons: string[], peakRssMB: number}[]>} */
    const runs = {};
    for (let round = 0; round < 3; round++) {
      for (const [name, file, kind] of cases) {
        const run = spawnSync(process.execPath, [self, '--case', file, kind], { encoding: 'utf8' });
        if (run.status !== 0) throw new Error(`${name}: ${run.stderr}`);
        (runs[name] ??= []).push(JSON.parse(run.stdout));
      }
    }
    const median = (/** @type {string} */ name) => [...(runs[name] ?? [])].sort((a, b) => a.seconds - b.seconds)[1];
    const base = median(cases[0]?.[0] ?? '');
    for (const [name] of cases) {
      const r = median(name);
      if (!r || !base) continue;
      const rate = r.size / 1048576 / r.seconds;
      console.log(
        `${name}: ${(r.size / 1048576).toFixed(1)} MiB in ${r.seconds.toFixed(2)} s = ${rate.toFixed(1)} MiB/s (${(r.seconds / base.seconds).toFixed(1)}x plain); ${r.members} members; peak RSS ${r.peakRssMB} MB${r.reasons.length ? `; coverage ${r.reasons.join(', ')}` : ''}`,
      );
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
