#!/usr/bin/env node
// @ts-check
/**
 * CPU of the character-row test (char-rows.ts anyCharacterRow, as the audit runs it: every look
 * until one passes) over the gated places of a folder of photos, this checkout's build against
 * another's (`--base`, the dist/ folder of a build of an earlier commit), each in its own process,
 * alternating A B A B, median of --runs. The photos are decoded to the audit's 512 plane first and
 * not timed; each process times three passes over all of them. Also checks both builds pass the same
 * number of photos.
 *
 * Run:  npm run build; node scripts/bench/plate-rows-cost.js --photos DIR [--base OTHER/dist] [--runs 3]
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const here = fileURLToPath(import.meta.url);
const repo = path.resolve(path.dirname(here), '..', '..');
const { values } = parseArgs({
  options: { photos: { type: 'string' }, base: { type: 'string' }, runs: { type: 'string', default: '3' }, child: { type: 'string' } },
});
if (!values.photos) throw new Error('give --photos DIR');

if (values.child) {
  const dist = values.child;
  const { decodeImage } = await import(path.join(dist, 'identify', 'image-decode.js'));
  const { gatedRegions, lumaOf } = await import(path.join(dist, 'identify', 'plate-reader', 'gate.js'));
  const { anyCharacterRow } = await import(path.join(dist, 'identify', 'plate-reader', 'char-rows.js'));
  const planes = [];
  for (const f of readdirSync(values.photos).sort()) {
    if (!/\.(jpe?g|png)$/i.test(f)) continue;
    const r = await decodeImage(readFileSync(path.join(values.photos, f)), { maxImagePixels: 1e8 });
    if (!r.ok) continue;
    const luma = lumaOf(r.image.pixels, r.image.width, r.image.height, r.image.channels);
    planes.push({ luma, regions: gatedRegions(luma).regions });
  }
  const cpu = () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  };
  const start = cpu();
  let passed = 0;
  for (let rep = 0; rep < 3; rep++) for (const p of planes) if (p.regions.length > 0 && anyCharacterRow(p.luma, p.regions)) passed++;
  console.log(JSON.stringify({ msPerPlane: (cpu() - start) / 3 / planes.length, planes: planes.length, passed: passed / 3 }));
} else {
  const builds = { new: path.join(repo, 'dist'), ...(values.base ? { base: path.resolve(values.base) } : {}) };
  /** @type {Record<string, number[]>} */
  const times = {};
  for (let i = 0; i < Number(values.runs); i++) {
    for (const [name, dist] of Object.entries(builds)) {
      const out = JSON.parse(execFileSync(process.execPath, [here, '--photos', values.photos, '--child', dist], { encoding: 'utf8' }));
      (times[name] ??= []).push(out.msPerPlane);
      console.log(name, JSON.stringify(out));
    }
  }
  const median = (/** @type {number[]} */ xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
  const summary = Object.fromEntries(Object.entries(times).map(([k, v]) => [k, Math.round(median(v) * 100) / 100]));
  console.log('median ms a plane', JSON.stringify(summary), times.base ? `ratio new/base ${(median(times.new ?? []) / median(times.base)).toFixed(3)}` : '');
}
