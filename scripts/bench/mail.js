#!/usr/bin/env node
// @ts-check
/**
 * E-mail and embedded-base64 bench (issue #18 items 3-4): the audit cost of each kind against the
 * plain file holding the same payload, each case in its own process (wall time, MiB/s of the
 * container's size, peak RSS sampled every 10 ms).
 * - walk cases: expandArchive over the file, every member read whole (what the detectors get);
 *   the plain baseline reads the payload file whole.
 * - `log`: a large plain log with no base64, through the walk, which now also looks for embedded
 *   base64 in every text file: the cost that look adds, against one read of the same file and
 *   against the whole CLI audit of it (plate scan included).
 * Needs a build (npm run build). Run: node scripts/bench/mail.js [MiB, default 50]
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const self = fileURLToPath(import.meta.url);
const root = path.resolve(path.dirname(self), '../..');
const [, , mode, file, how] = process.argv;

if (mode === '--case' && file) {
  const { expandArchive } = await import('../../dist/sources/archives/index.js');
  const { sniff } = await import('../../dist/sources/sniff.js');
  const { fileContent } = await import('../../dist/sources/file-content.js');
  const { statSync } = await import('node:fs');
  const size = statSync(file).size;
  const content = fileContent(file, size);
  // Sampled, not maxRSS: on Linux a spawned child's maxRSS starts at its parent's (it survives exec).
  let peak = process.memoryUsage().rss;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 10);
  const started = process.hrtime.bigint();
  let bytes = 0;
  let members = 0;
  const reasons = new Set();
  if (how === 'plain') bytes = (await content.readAll()).length;
  else {
    const item = { location: path.basename(file), origin: /** @type {const} */ ('filesystem'), size, content };
    for await (const event of expandArchive(item, sniff(await content.head(512)), { filePath: file })) {
      if (event.kind === 'item') {
        members++;
        bytes += (await event.item.content?.readAll())?.length ?? 0;
      } else if (event.kind === 'coverage') reasons.add(event.entry.reason);
    }
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  clearInterval(sampler);
  peak = Math.max(peak, process.memoryUsage().rss);
  console.log(JSON.stringify({ seconds, size, bytes, members, reasons: [...reasons], peakRssMB: Math.round(peak / 2 ** 20) }));
} else {
  const mib = Number(mode ?? 50);
  const dir = await mkdtemp(path.join(os.tmpdir(), 'custody-mail-bench-'));
  const at = (/** @type {string} */ name) => path.join(dir, name);
  const b64 = (/** @type {Buffer} */ bytes) => bytes.toString('base64').replace(/(.{76})/g, '$1\r\n');
  const head = (/** @type {string} */ subject) => `From: ops@contractor.example\r\nTo: a@contractor.example\r\nSubject: ${subject}\r\nDate: Mon, 2 Nov 2026 10:00:00 +0000\r\nMIME-Version: 1.0\r\n`;
  const withAttachment = (/** @type {string} */ subject, /** @type {string} */ name, /** @type {Buffer} */ bytes) =>
    `${head(subject)}Content-Type: multipart/mixed; boundary="b"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nsee attached\r\n--b\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\nContent-Disposition: attachment; filename="${name}"\r\n\r\n${b64(bytes)}\r\n--b--\r\n`;
  try {
    const payload = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), randomBytes(mib * 1024 * 1024)]);
    await writeFile(at('payload.jpg'), payload);
    await writeFile(at('big.eml'), withAttachment('big', 'payload.jpg', payload));
    // An mbox of 100 KB attachments, about the same payload in all.
    const pieces = [];
    const count = Math.max(1, Math.round((mib * 1024) / 100));
    for (let i = 0; i < count; i++) pieces.push(`From ops@contractor.example Mon Nov  2 10:00:00 2026\n${withAttachment(`m${i}`, `p${i}.jpg`, payload.subarray(i * 102400, (i + 1) * 102400)).replaceAll('\r\n', '\n')}\n`);
    await writeFile(at('inbox.mbox'), pieces.join(''));
    // HTML of data URIs and JSON of base64 strings, 100 KB files each.
    const chunks = Array.from({ length: count }, (_, i) => Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), payload.subarray(i * 102400 + 4, (i + 1) * 102400)]));
    await writeFile(at('page.html'), `<html><body>${chunks.map((c) => `<img src="data:image/jpeg;base64,${c.toString('base64')}">`).join('\n')}</body></html>`);
    await writeFile(at('captures.json'), JSON.stringify({ captures: chunks.map((c, i) => ({ id: i, image: c.toString('base64') })) }));
    // A log with no base64: the look for it should cost little beside reading the file.
    const line = '2026-11-02T10:00:00Z gate=3 lane=2 read plate=QQQ1111 conf=0.93 camera=cam-07 direction=in speed=42\n';
    await writeFile(at('big.log'), line.repeat(Math.ceil((mib * 4 * 1024 * 1024) / line.length)));
    /** @type {[string, string, string][]} */
    const cases = [
      ['plain payload.jpg (read whole)', at('payload.jpg'), 'plain'],
      ['.eml, one base64 attachment', at('big.eml'), 'walk'],
      ['mbox, 100 KB attachments (3 members a message: subject, body, attachment)', at('inbox.mbox'), 'walk'],
      ['HTML, 100 KB data URIs', at('page.html'), 'walk'],
      ['JSON, 100 KB base64 strings', at('captures.json'), 'walk'],
      ['plain big.log (read whole)', at('big.log'), 'plain'],
      ['big.log through the walk (appended zip + embedded base64 look)', at('big.log'), 'walk'],
    ];
    for (const [name, input, kind] of cases) {
      const run = spawnSync(process.execPath, [self, '--case', input, kind], { encoding: 'utf8' });
      if (run.status !== 0) throw new Error(`${name}: ${run.stderr}`);
      const r = JSON.parse(run.stdout);
      const rate = (r.size / 1048576 / r.seconds).toFixed(1);
      console.log(
        `${name}: ${(r.size / 1048576).toFixed(1)} MiB in ${r.seconds.toFixed(2)} s = ${rate} MiB/s; ${r.members} members, ${(r.bytes / 1048576).toFixed(1)} MiB; peak RSS ${r.peakRssMB} MB${r.reasons.length ? `; coverage ${r.reasons.join(', ')}` : ''}`,
      );
    }
    // The whole audit of the log (plate scan included), for scale.
    await mkdir(at('share'));
    execFileSync('mv', [at('big.log'), at('share/big.log')]);
    await mkdir(at('agency'));
    await writeFile(at('agency/reads.csv'), 'plate,lane\nABC1234,1\n');
    const env = { ...process.env, CUSTODY_PLATE_KEY: 'bench-plate-key-0123456789abcdef' };
    const cli = path.join(root, 'bin/custody.js');
    execFileSync(process.execPath, [cli, 'fingerprint', at('agency'), '--out', at('agency.fp.json')], { env, stdio: 'ignore' });
    const started = process.hrtime.bigint();
    spawnSync(process.execPath, [cli, 'audit', at('share'), '-f', at('agency.fp.json'), '--authorized', 'enclave/**', '--no-cache', '--format', 'json'], { env, encoding: 'utf8' });
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    console.log(`CLI audit of big.log (start-up, plate scan, walk): ${seconds.toFixed(2)} s`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
