// @ts-check
/**
 * The issue #17 targets of scripts/bench/references.js, judged from its raw rows, and its Markdown
 * (bench/results/scale-references.md). Kept apart from the runner so the page can be re-rendered
 * from a result file alone.
 */

const GB = 1e9;
const MiB = 2 ** 20;
/**
 * The plain 10M-hash index HMA's benchmark reports (issue 17), for comparison only: 1.63 GB, ~38 s
 * to load, ~27 ms a lookup; it gives no build time. (Until session 21 this page read the 38 s as a
 * build time and the 27 ms as a load time.)
 */
const HMA = { bytes: 1.63e9, loadSeconds: 38, lookupMs: 27 };

/** @typedef {{ target: string, measured: string, verdict: 'met' | 'missed' | 'failed' | 'n/a' | 'skipped' }} Target */

const n = (/** @type {number} */ v) => v.toLocaleString('en');
const fixed = (/** @type {number | undefined} */ v, /** @type {number} */ digits = 2) => (v === undefined || Number.isNaN(v) ? '?' : v.toFixed(digits));
/** @returns {'met' | 'missed'} */
const judged = (/** @type {boolean} */ ok) => (ok ? 'met' : 'missed');

/**
 * A "recall and precision unchanged with distractors" row: the calibration matcher's figures and,
 * where the run has them (from session 20), the audit's own matcher's, which probes a large index
 * shallower than the calibration's radius 47; both must hold. Names the copies the audit's matcher
 * lost to the distractors.
 * @param {string} target @param {any} before the run without distractors @param {any} after
 * @returns {Target}
 */
function unchanged(target, before, after) {
  if (after.error) return { target, measured: after.error, verdict: 'failed' };
  const audit = before.audit && after.audit;
  const lost = audit ? lostCopies(before.audit.missed, after.audit.missed) : [];
  return {
    target,
    measured:
      `recall ${fixed(before.recall, 3)} -> ${fixed(after.recall, 3)}, precision ${fixed(before.precision, 3)} -> ${fixed(after.precision, 3)}; ${before.misses} -> ${after.misses} misses; ${fixed(before.cpuSecondsPerImage)} -> ${fixed(after.cpuSecondsPerImage)} CPU-s/query` +
      (audit
        ? `; the audit's matcher: recall ${fixed(before.audit.recall, 3)} -> ${fixed(after.audit.recall, 3)}, precision ${fixed(before.audit.precision, 3)} -> ${fixed(after.audit.precision, 3)}, ${before.audit.misses} -> ${after.audit.misses} misses${lost.length ? ` (lost: ${lost.join(', ')})` : ''}`
        : ''),
    verdict: judged(
      after.recall >= before.recall &&
        after.precision >= before.precision &&
        (!audit || (after.audit.recall >= before.audit.recall && after.audit.precision >= before.audit.precision)),
    ),
  };
}

/** The copies missed after that were not missed before (as many times as they are more often missed). @param {string[]} before @param {string[]} after */
function lostCopies(before, after) {
  const left = new Map();
  for (const k of before) left.set(k, (left.get(k) ?? 0) + 1);
  return after.filter((k) => {
    const c = left.get(k) ?? 0;
    left.set(k, c - 1);
    return c <= 0;
  });
}

/**
 * Wall and CPU ms per image of an audit row and their ratios to the real set's. `matching` is the
 * issue's "per-image matching cost": the CPU of the audit's threads other than its main thread from
 * its first image done to its end (matching threads, decoders, reads) per image; the main thread
 * builds the index (load has its own target), walks and reports, and the store's load (its reads on
 * libuv's pool included) is over before the first image. Rows run before that split
 * was measured (session 19) fall back to `lessLoad`, which is also shown beside it: the audit's CPU
 * less the set's separate load step's (node start-up included, as in the audit), whose two large
 * figures each vary by seconds at 10M (the index build), more than the gap to the target.
 * @param {any} row @param {any} real
 */
function perImage(row, real) {
  const images = real?.images ?? row?.images;
  if (!row || row.audit.error || real?.audit.error || !images) return undefined;
  const per = (/** @type {any} */ r, /** @type {'wall' | 'cpu'} */ key) => (r.audit.run[key] * 1000) / images;
  const lessLoad = (/** @type {any} */ r) => (r.load.error ? Number.NaN : ((r.audit.run.cpu - r.load.run.cpu) * 1000) / images);
  const threads = row.audit.offMainCpu !== undefined && real.audit.offMainCpu !== undefined;
  const matching = (/** @type {any} */ r) => (threads ? (r.audit.offMainCpu * 1000) / images : lessLoad(r));
  return {
    wall: per(row, 'wall'),
    cpu: per(row, 'cpu'),
    matching: matching(row),
    threads,
    lessLoad: lessLoad(row),
    wallRatio: per(row, 'wall') / per(real, 'wall'),
    cpuRatio: per(row, 'cpu') / per(real, 'cpu'),
    matchingRatio: matching(row) / matching(real),
    lessLoadRatio: lessLoad(row) / lessLoad(real),
  };
}

/**
 * Scaled-set targets: load, memory and per-image cost (CPU per image without the set's load decides:
 * on a shared machine CPU moves less than wall time; every figure is shown).
 * @param {any} row @param {any} real @param {{ rssGB: number, ratio: number, load?: number }} limits
 * @returns {Target[]}
 */
function setTargets(row, real, limits) {
  const label = `${n(row.set.references)} references`;
  const failed = (/** @type {string} */ target, /** @type {string} */ error) => ({ target, measured: error, verdict: /** @type {const} */ ('failed') });
  /** @type {Target[]} */
  const out = [];
  if (limits.load !== undefined) {
    const target = `${label}: store load <= ${limits.load} s`;
    out.push(row.load.error ? failed(target, row.load.error) : { target, measured: `${fixed(row.load.ms / 1000)} s in process (${fixed(row.load.run.wall)} s with node start-up), ${Math.round(row.load.run.rssMiB)} MiB peak; then the perceptual index, ${fixed((row.load.indexMs ?? 0) / 1000)} s for ${n(row.load.entries ?? 0)} hashes`, verdict: judged(row.load.ms / 1000 <= limits.load) });
  }
  const rss = `${label}: audit completes, peak RSS <= ${limits.rssGB} GB`;
  if (row.audit.error) return [...out, failed(rss, row.audit.error)];
  out.push({ target: rss, measured: `${fixed((row.audit.run.rssMiB * MiB) / GB)} GB (${Math.round(row.audit.run.rssMiB)} MiB)`, verdict: judged((row.audit.run.rssMiB * MiB) / GB <= limits.rssGB) });
  const cost = perImage(row, real);
  if (cost)
    out.push({
      target: `${label}: per-image cost <= ${limits.ratio}x the ${n(real.set.references)}-reference audit`,
      measured: `${cost.threads ? 'matching threads\' CPU' : 'matching CPU'} ${fixed(cost.matchingRatio)}x (${fixed(cost.matching, 1)} ms/image)${cost.threads ? `; audit CPU less the load step's ${fixed(cost.lessLoadRatio)}x (${fixed(cost.lessLoad, 1)} ms/image)` : ''}; with the load, CPU ${fixed(cost.cpuRatio)}x (${fixed(cost.cpu, 1)} ms/image), wall ${fixed(cost.wallRatio)}x (${fixed(cost.wall, 1)} ms/image)`,
      verdict: judged(cost.matchingRatio <= limits.ratio),
    });
  out.push({
    target: `${label}: the same planted copies found as with the real set, no distractor matched`,
    measured: `${row.plantedFound}/${row.planted} planted; ${row.lost.length} assets lost, ${row.gained.length} gained; ${row.distractorHits} distractor hits`,
    verdict: judged(row.lost.length === 0 && row.distractorHits === 0 && row.plantedFound === real.plantedFound),
  });
  return out;
}

/**
 * @param {{ sizes: Record<string, number>, rows: Record<string, any> }} result
 * @returns {Target[]}
 */
export function targetRows({ sizes, rows }) {
  const real = rows['real'];
  /** @type {Target[]} */
  const out = [...setTargets(rows['refs'], real, { load: 3, rssGB: 1.5, ratio: 1.5 })];
  const rb = rows['robustness'];
  const robust = `${n(sizes['refs'] ?? 0)} distractors: robustness recall and precision unchanged`;
  if (!rb) out.push({ target: robust, measured: 'not run (--no-robustness)', verdict: 'skipped' });
  else if (rb.without.error) out.push({ target: robust, measured: rb.without.error, verdict: 'failed' });
  else {
    out.push(unchanged(robust, rb.without, rb.with));
    // Runs before session 16 have no unrelated row.
    if (rb.unrelated) out.push(unchanged(`${robust}, the ${n(sizes['refs'] ?? 0)}-reference set's own distractors (near none of its references)`, rb.without, rb.unrelated));
  }
  const big = rows['refs10m'];
  if (!big) out.push({ target: '10,000,000 references', measured: 'not run (--no-10m)', verdict: 'skipped' });
  else {
    out.push(...setTargets(big, real, { rssGB: 6, ratio: 3 }));
    const bigCost = perImage(big, real);
    out.push({
      target: `${n(big.set.references)} references: store size, build and load time, matching per image (HMA, a plain 10M-hash index: 1.63 GB, ~38 s to load, ~27 ms a lookup, no build time given)`,
      measured: `${fixed(big.set.bytes / GB)} GB (x${fixed(big.set.bytes / HMA.bytes)} HMA's: 11 claimable views and 9 tiles a reference, not one hash), built in ${fixed(big.set.buildSeconds, 0)} s (${n(Math.round(big.set.references / big.set.buildSeconds))} refs/s), load ${big.load.error ? 'failed' : `${fixed(big.load.ms / 1000)} s (x${fixed(big.load.ms / 1000 / HMA.loadSeconds)} HMA's)`}; ${bigCost ? `matching ${fixed(bigCost.matching, 1)} CPU-ms an image, every view, crop and tile stage included (x${fixed(bigCost.matching / HMA.lookupMs)} HMA's lookup)` : 'matching not measured (the audit failed)'}`,
      verdict: 'n/a',
    });
  }
  const [small, large] = [rows['plates-small'], rows['plates-large']];
  const plates = `${n(large.set.plates)} plate digests`;
  if (small.error || large.error) out.push({ target: `${plates}: plate scan`, measured: large.error ?? small.error, verdict: 'failed' });
  else {
    // The scan's MB per CPU-second decides, as matching CPU does for images: each audit's CPU minus
    // that of the same audit of a one-file tree with the same store (start-up, store load, report),
    // which is shown apart, with the whole audits' ratio. Older results have no empty-tree audit.
    const scanCpu = (/** @type {any} */ r) => r.scanCpu ?? r.run.cpu;
    const slower = scanCpu(large) / scanCpu(small);
    const fixedCosts = large.fixed && small.fixed ? `; fixed cost per audit (start-up, store load, report) ${fixed(large.fixed.cpu)} vs ${fixed(small.fixed.cpu)} CPU-s; whole audits ${fixed(large.run.cpu / small.run.cpu)}x the CPU, wall ${fixed(large.mbPerSecond, 0)} vs ${fixed(small.mbPerSecond, 0)} MB/s` : `; wall ${fixed(large.mbPerSecond, 0)} vs ${fixed(small.mbPerSecond, 0)} MB/s`;
    out.push({
      target: `${plates}: plate scan MB/s within 1.2x of ${n(small.set.plates)} digests`,
      measured: `${fixed(large.bytes / 1e6 / scanCpu(large), 0)} vs ${fixed(small.bytes / 1e6 / scanCpu(small), 0)} MB per ${large.fixed ? 'scan ' : ''}CPU-s (${large.fixed ? 'scan ' : ''}CPU ${fixed(slower)}x the ${n(small.set.plates)} digests'${large.rounds ? `, median of ${large.rounds} alternating rounds` : ''})${fixedCosts}; ${large.assets} vs ${small.assets} files found`,
      verdict: judged(slower <= 1.2 && large.assets === small.assets),
    });
    out.push({ target: `${plates}: plate scan peak RSS <= 1 GB`, measured: `${fixed((large.run.rssMiB * MiB) / GB)} GB (${Math.round(large.run.rssMiB)} MiB; ${Math.round(small.run.rssMiB)} MiB with ${n(small.set.plates)})`, verdict: judged((large.run.rssMiB * MiB) / GB <= 1) });
  }
  const fp = rows['fingerprint'];
  out.push({ target: 'fingerprinting: references per second per core', measured: `${fixed(fp.perCpuSecond)} references per CPU-second (${fixed(fp.perSecond)}/s wall; ${fp.references} references, ${fp.images} images)`, verdict: 'n/a' });
  return out;
}

/** @param {string[][]} rows */
const table = (rows) => rows.map((row, i) => `| ${row.join(' | ')} |${i === 0 ? `\n|${row.map(() => ' --- |').join('')}` : ''}`).join('\n');

/**
 * @param {{ date: string, sizes: Record<string, number>, seed: number, jobs: number, imageRounds?: number, measureMethod: string, machine: Record<string, any>, loadAverageAtEnd: number[], subset: string, rows: Record<string, any> }} result
 * @param {Target[]} targets
 * @param {string} [name] the results' file name without extension (references.js --results)
 */
export function toMarkdown(result, targets, name = 'scale-references') {
  const { rows, machine: m } = result;
  const sets = ['real', 'refs', 'refs10m'].filter((k) => rows[k]);
  const real = rows['real'];
  const rb = rows['robustness'];
  return [
    '# custody with agency-scale reference sets (issue #17)',
    '',
    `Generated by \`npm run bench:scale\` (scripts/bench/references.js) on ${result.date}; seed ${result.seed}. Each step is its own process (nice ${m['nice']}),`,
    `measured with ${result.measureMethod === 'gnu-time' ? 'GNU time' : '/proc polling'}: wall, CPU (user + sys), peak RSS. GB = 10^9 bytes. Audits: \`custody audit ${result.subset} --no-archives --no-cache --jobs ${result.jobs}\``,
    `(the main bench's image subset, ${real?.images ?? '?'} files); ${rows['real']?.audit?.offMainCpu !== undefined ? 'each audit runs custody\'s auditWith (what the CLI calls) in a process of its own, in the environment custody relaunches in; matching threads\' CPU = the CPU of its threads other than the main one from its first image done to its end (matching threads, decoders, reads; the main thread builds the index, walks and reports; the store is loaded before), from /proc; also shown, the audit CPU less the set\'s load step CPU' : 'matching CPU = audit CPU minus the set\'s load step CPU'}${(result.imageRounds ?? 1) > 1 ? `, each the median of ${result.imageRounds} rounds in which the sets alternate` : ''}. Distractor sets hold the real references plus synthetic ones: half the real views with one 36-80-bit flip`,
    'pattern per capture, half uniform; sizes and classes of the real images (scripts/bench/distractors.js).',
    '',
    table([['target', 'measured', 'verdict'], ...targets.map((t) => [t.target, t.measured, t.verdict])]),
    '',
    '## Reference sets',
    '',
    table([
      ['set', 'references', 'store', 'build', 'load (in process / RSS)', 'audit wall / CPU / RSS', 'ms per image wall / CPU / matching', 'planted found', 'distractor hits'],
      ...sets.map((k) => {
        const r = rows[k];
        const cost = perImage(r, real);
        return [
          k,
          n(r.set.references),
          r.set.bytes ? `${(r.set.bytes / MiB).toFixed(0)} MiB` : 'v1 JSON',
          r.set.buildSeconds ? `${r.set.buildSeconds.toFixed(1)} s${r.set.reused ? ' (cached)' : ''}` : '-',
          r.load.error ? `failed: ${r.load.error}` : `${fixed(r.load.ms / 1000)} s / ${Math.round(r.load.run.rssMiB)} MiB`,
          r.audit.error ? `failed: ${r.audit.error}` : `${fixed(r.audit.run.wall, 1)} s / ${fixed(r.audit.run.cpu, 1)} s / ${Math.round(r.audit.run.rssMiB)} MiB`,
          cost ? `${fixed(cost.wall, 1)} / ${fixed(cost.cpu, 1)} / ${fixed(cost.matching, 1)}` : '-',
          r.plantedFound === undefined ? '-' : `${r.plantedFound}/${r.planted}`,
          r.distractorHits === undefined ? '-' : String(r.distractorHits),
        ];
      }),
    ]),
    '',
    '## Plate scan',
    '',
    table([
      ['plate digests', 'store', 'audit wall / CPU / RSS', 'fixed cost wall / CPU (one-file tree)', 'scan CPU', 'MB per scan CPU-s', 'files found'],
      ...['plates-small', 'plates-large'].map((k) => {
        const r = rows[k];
        if (r.error) return [n(r.set.plates), `${(r.set.bytes / MiB).toFixed(0)} MiB`, `failed: ${r.error}`, '-', '-', '-', '-'];
        const scan = r.scanCpu ?? r.run.cpu;
        return [
          n(r.set.plates),
          `${(r.set.bytes / MiB).toFixed(0)} MiB`,
          `${fixed(r.run.wall, 1)} s / ${fixed(r.run.cpu, 1)} s / ${Math.round(r.run.rssMiB)} MiB`,
          r.fixed ? `${fixed(r.fixed.wall, 1)} s / ${fixed(r.fixed.cpu, 1)} s` : '-',
          `${fixed(scan, 2)} s`,
          fixed(r.bytes / 1e6 / scan, 0),
          String(r.assets ?? '-'),
        ];
      }),
    ]),
    `(${(rows['plates-small'].bytes / 1e6).toFixed(0)} MB of plate records; the real agency digests are among both sets.${rows['plates-large'].rounds ? ` Scan CPU = the audit's CPU minus the fixed cost, the CPU of the same audit of a one-file tree with the same store; medians of ${rows['plates-large'].rounds} alternating rounds; the peak RSS is the largest of the rounds.` : ''})`,
    '',
    ...(rb
      ? [
          '## Robustness bench with distractors',
          '',
          `scripts/bench/robustness.js ${rb.options}, then with \`--distractors\`: ${n(rb.store.references)} references derived from its own references${rb.unrelated ? `; then (unrelated) with the ${n(rb.store.references)}-reference set's own store (${rb.unrelatedStore}), derived from other images` : ''}.${rb.without.audit ? " Recall, precision and misses are the calibration matcher's (radius 47, decided at the audit's threshold); the audit's matcher is each query matched as an audit's matching thread matches it, at its own thresholds and shallower probes (scripts/bench/robustness-audit.js); CPU-s per query counts both." : ''}`,
          '',
          table([
            ['run', 'recall', 'precision', 'misses', "audit's matcher: recall / precision / misses", 'CPU-s per query', 'wall / peak RSS'],
            ...['without', 'with', ...(rb.unrelated ? ['unrelated'] : [])].map((k) => {
              const r = rb[k];
              const audit = r.audit ? `${fixed(r.audit.recall, 3)} / ${fixed(r.audit.precision, 3)} / ${r.audit.misses}` : '-';
              return r.error
                ? [k, 'failed', r.error, '', '', '', '']
                : [k, fixed(r.recall, 3), fixed(r.precision, 3), String(r.misses), audit, fixed(r.cpuSecondsPerImage), `${fixed(r.run.wall, 0)} s / ${Math.round(r.run.rssMiB)} MiB`];
            }),
          ]),
          '',
        ]
      : []),
    '## Machine',
    '',
    `${m['cpu']} (nproc ${m['nproc']}); ${m['memory']}; node ${m['node']}. Load average ${m['loadAverageAtStart']} at start, ${result.loadAverageAtEnd.join(' ')} at end.`,
    '',
    `Raw figures: bench/results/${name}.json.`,
    '',
  ].join('\n');
}
