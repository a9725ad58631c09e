#!/usr/bin/env node
// @ts-check
/**
 * Traces the robustness bench's copies that a million distractors cost (issue 17): per copy of the
 * chosen cases, the audit's stages as calibration measures them (direct, aligned, sub-image, with
 * the reference each found) against the bench's references alone and against them plus a
 * distractor store, printing only the copies whose claim differs (or every copy with --all).
 * The references, copies and index are robustness.js's (--per-kind, --hard give the same specs).
 *
 * Build first: npx tsc -p tsconfig.build.json
 * With --gate, each candidate region of a printed copy (the sub-image search's upright finders)
 * with its rough hash's exact distance to the copy's own reference (nearest stored view, any
 * orientation) and whether the rough gate lets it through in each index; for the upright search
 * nearest a core view, its low-band differences and where its wide key comes by margin. With --match
 * too, what the sub-image search's matcher claims for each region the gate alone passes, and the
 * distance its crop alignment reaches from the whole region to the reference's nearest core view.
 *
 * With --grid, per orientation, the crop stage's coarse crops' and orientation probe's crops' nearest
 * exact distance to the copy's own reference (its core views, the views a large set indexes) and
 * how many of those crops the crowded index meets at depth 0 and at 1 bit deep (m0/m1): where a
 * trimmed copy's crops are near, and whether the sampled searches reach them.
 *
 * Run:         node --max-old-space-size=8192 scripts/bench/robustness-1m-trace.js --distractors STORE
 *                [--per-kind 3] [--hard 10] [--cases rotate-crop,screenshot-42] [--kinds plate] [--all] [--gate [--match]] [--grid]
 */
import { parseArgs } from 'node:util';
import { ASSET_CLASS, KINDS, referenceIdOf, renderSpec, robustnessSpecs } from './robustness-specs.js';

const { values } = parseArgs({
  options: {
    'per-kind': { type: 'string', default: '3' },
    hard: { type: 'string', default: '10' },
    cases: { type: 'string' },
    kinds: { type: 'string' },
    distractors: { type: 'string' },
    all: { type: 'boolean', default: false },
    gate: { type: 'boolean', default: false },
    grid: { type: 'boolean', default: false },
    match: { type: 'boolean', default: false },
  },
});
const perKind = Number(values['per-kind']);
const hard = Number(values.hard);
const { ROBUSTNESS_CASES, applyCase } = await import('../synth/transforms.js');
const { SUBIMAGE_CASES, applySubimageCase } = await import('./robustness-subimage.js');
const { WARP_CASES, applyWarpCase } = await import('./robustness-warp.js');
const { buildReferences } = await import('../../dist/calibrate/references.js');
const { CalibrationMatcher, decide } = await import('../../dist/calibrate/measure.js');
const { pdqIndexOfReferences, buildPdqIndex } = await import('../../dist/identify/pdq/pdq-index.js');
const { loadFingerprints } = await import('../../dist/references/load.js');
const { columnsFromReferences, combineColumns } = await import('../../dist/references/columns.js');
const { decodeImage } = await import('../../dist/identify/image-decode.js');
const { RoughGate } = await import('../../dist/identify/subimage/rough-gate.js');
const { REGION_FINDERS, cut } = await import('../../dist/identify/subimage/sub-image-search.js');
const { lowRes } = await import('../../dist/identify/subimage/low-res.js');
const { hamming, hashFromHex, newHash } = await import('../../dist/identify/pdq/hash256.js');
const { FilteredPlane } = await import('../../dist/identify/pdq/filtered-plane.js');
const { queryViews, COARSE_QUERY_CROPS } = await import('../../dist/identify/pdq/views.js');
const { PROBE_QUERY_CROPS } = await import('../../dist/identify/pdq/orientation-probe.js');
const { cropRect } = await import('../../dist/identify/pdq/crops.js');
const { DIHEDRAL, transformDct } = await import('../../dist/identify/pdq/dihedral.js');
const { PdqHasher } = await import('../../dist/identify/pdq/pdq-hasher.js');
const { LOW_BAND } = await import('../../dist/identify/pdq/low-band.js');
const { medianOf256 } = await import('../../dist/identify/pdq/dct.js');
const { refineAlignment } = await import('../../dist/identify/pdq/refine.js');
const { MARGIN_REGIONS } = await import('../../dist/identify/pdq/low-band-probes.js');

const kinds = values.kinds ? values.kinds.split(',') : KINDS;
/** @type {{ name: string, apply: (b: Buffer) => Promise<Buffer> }[]} */
const cases = [
  ...ROBUSTNESS_CASES.map((c) => ({ name: c.name, apply: (/** @type {Buffer} */ b) => applyCase(c, b) })),
  ...SUBIMAGE_CASES.map((c) => ({ name: c.name, apply: (/** @type {Buffer} */ b) => applySubimageCase(c, b) })),
  ...WARP_CASES.map((c) => ({ name: c.name, apply: (/** @type {Buffer} */ b) => applyWarpCase(c, b) })),
].filter((c) => !values.cases || values.cases.split(',').includes(c.name));
// robustness.js's references (its negatives and hard negatives draw their plates after them).
const specs = (await robustnessSpecs(perKind, perKind, hard)).refs;
/** @type {Buffer[]} */
const bases = [];
for (const s of specs) bases.push(await renderSpec(s));
const references = await buildReferences(specs.map((s, i) => ({ id: referenceIdOf(s), class: ASSET_CLASS[s.kind], bytes: /** @type {Buffer} */ (bases[i]) })));
references.sort((a, b) => (a.id < b.id ? -1 : 1));
const alone = new CalibrationMatcher(pdqIndexOfReferences(references));
/** @type {InstanceType<typeof CalibrationMatcher> | undefined} */
let crowded;
if (values.distractors) {
  const t0 = performance.now();
  const store = await loadFingerprints([values.distractors], { keepViews: true });
  const combined = combineColumns([columnsFromReferences(references), { columns: store.columns, tables: store.tables }]);
  crowded = new CalibrationMatcher(buildPdqIndex(combined.columns, combined.tables));
  console.error(`distractors loaded and indexed in ${((performance.now() - t0) / 1000).toFixed(1)} s: ${crowded.size} stored hashes`);
}
/** @param {any} h @param {string} expected */
const hit = (h, expected) => (h ? `${h.distance}${h.reference === expected ? '' : `(${h.reference})`}` : '-');
/** @param {any} m @param {string} expected */
const line = (m, expected) => `direct ${hit(m.direct, expected)} aligned ${hit(m.aligned, expected)} subimage ${hit(m.subimage, expected)}`;
for (const c of cases) {
  for (let i = 0; i < specs.length; i++) {
    const s = /** @type {typeof specs[number]} */ (specs[i]);
    if (!kinds.includes(s.kind)) continue;
    const expected = `${s.kind}/${String(s.index).padStart(4, '0')}.jpg`;
    const bytes = await c.apply(/** @type {Buffer} */ (bases[i]));
    const a = await alone.measure(bytes);
    const b = crowded ? await crowded.measure(bytes) : undefined;
    const found = (/** @type {any} */ m) => decide(m, 31)?.reference === expected;
    if (!values.all && b && found(a) === found(b)) continue;
    if (values.gate) await traceGate(bytes, expected);
    if (values.grid) await traceGrid(bytes, expected);
    console.log(`${c.name} ${expected}: alone ${found(a) ? 'found' : 'MISSED'} ${line(a, expected)}${b ? ` | crowded ${found(b) ? 'found' : 'MISSED'} ${line(b, expected)}` : ''}`);
  }
}

/**
 * The rough gate's verdict on each upright candidate region, in both indexes, and the rough hash's
 * exact distance to the expected reference (a gate over a recording index computes the hashes).
 * @param {Buffer} bytes @param {string} expected
 */
async function traceGate(bytes, expected) {
  const decoded = await decodeImage(bytes, { maxImagePixels: 100_000_000 });
  if (!decoded.ok) return;
  const image = decoded.image;
  const own = (references.find((r) => r.id === expected)?.pdq ?? []).filter((e) => !e.variant.startsWith('tile'));
  // A large index holds only the core views (full and crops equal on every side, pdq-index.ts).
  const isCore = (/** @type {string} */ v) => v === 'full' || new Set(v.replace(/^crop:/, '').split(',')).size === 1;
  const hashes = own.map((e) => ({ core: isCore(e.variant), hash: /** @type {Uint32Array} */ (hashFromHex(e.hash)) }));
  let nearestOwn = Infinity;
  let nearestCore = Infinity;
  // Distances in every orientation the gate searches: it hands this index each turned hash in turn.
  const recorder = {
    size: 27,
    search: (/** @type {any} */ q) => {
      for (const h of hashes) {
        const d = hamming(q, h.hash);
        nearestOwn = Math.min(nearestOwn, d);
        if (h.core) nearestCore = Math.min(nearestCore, d);
      }
    },
  };
  const exact = new RoughGate(/** @type {any} */ (recorder));
  // The crowded gate's own searches (region and its trim views) against the core views: what it could meet.
  let nearestTrim = Infinity;
  // Of the upright searches (the region's own hash, call 0, and its trim views, calls 8 on), the one
  // nearest a core view by low band: bits differing in the 16 and 20 lowest, and in the next 24 (a check).
  let calls = 0;
  /** @type {number[]} */
  let band = [];
  const bit = (/** @type {Uint32Array} */ h, /** @type {number} */ k) => ((h[k >>> 5] ?? 0) >>> (k & 31)) & 1;
  const differ = (/** @type {Uint32Array} */ a, /** @type {Uint32Array} */ b, /** @type {number} */ from, /** @type {number} */ to) => {
    let n = 0;
    for (let i = from; i < to; i++) n += bit(a, /** @type {number} */ (LOW_BAND[i])) ^ bit(b, /** @type {number} */ (LOW_BAND[i]));
    return n;
  };
  const trimRecorder = {
    size: 27,
    search: (/** @type {any} */ q) => {
      const upright = calls === 0 || calls >= 8;
      calls++;
      for (const h of hashes) {
        if (!h.core) continue;
        const d = hamming(q, h.hash);
        nearestTrim = Math.min(nearestTrim, d);
        if (!upright || d > 85) continue;
        const b = [differ(q, h.hash, 0, 16), differ(q, h.hash, 0, 20), differ(q, h.hash, 20, 44), d, marginRank(/** @type {any} */ (exactTrims).dct, q, h.hash)];
        const [low, , check] = band;
        if (low === undefined || check === undefined || (b[0] ?? 0) < low || (b[0] === low && (b[2] ?? 0) < check)) band = b;
      }
    },
  };
  /**
   * Where the stored hash's wide key (the first 16 low-band bits) comes in a lookup reading keys by
   * the summed margins |dct - median| of the bits it flips (low-band-probes.ts marginFlips): 1 for
   * the query's own key; the keys 1 and 2 bits off that the gate reads are 17 and 137.
   * @param {Float32Array} dct @param {Uint32Array} q @param {Uint32Array} stored
   */
  const marginRank = (dct, q, stored) => {
    const median = medianOf256(dct, new Float32Array(256));
    const margins = LOW_BAND.slice(0, 16).map((k) => Math.abs((dct[k] ?? 0) - median));
    const need = margins.reduce((sum, m, i) => sum + (bit(q, /** @type {number} */ (LOW_BAND[i])) !== bit(stored, /** @type {number} */ (LOW_BAND[i])) ? m : 0), 0);
    let cheaper = 0;
    for (let mask = 0; mask < 2 ** 16; mask++) {
      let sum = 0;
      for (let i = 0; i < 16; i++) if ((mask >>> i) & 1) sum += margins[i] ?? 0;
      if (sum < need) cheaper++;
    }
    return cheaper + 1;
  };
  const exactTrims = crowded ? new RoughGate(/** @type {any} */ (trimRecorder), /** @type {any} */ (crowded).direct.trimCrops) : undefined;
  const gates = [new RoughGate(/** @type {any} */ (alone).direct.hamming, /** @type {any} */ (alone).direct.trimCrops), ...(crowded ? [new RoughGate(/** @type {any} */ (crowded).direct.hamming, /** @type {any} */ (crowded).direct.trimCrops, /** @type {any} */ (crowded).direct.lowBandIndex)] : [])];
  const plane = lowRes(image);
  let order = 0;
  for (const finder of REGION_FINDERS) {
    for (const c of finder(image, plane)) {
      nearestOwn = Infinity;
      nearestCore = Infinity;
      if (c.pixels) exact.nearPixels(c.pixels);
      else exact.near(image, c.region);
      nearestTrim = Infinity;
      calls = 0;
      band = [];
      if (exactTrims && !c.pixels) exactTrims.near(image, c.region);
      // The first regions' trim views are looked up by margin too (MARGIN_REGIONS), as the sub-image search does.
      const verdicts = gates.map((g) => (c.pixels ? g.nearPixels(c.pixels) : g.near(image, c.region, order < MARGIN_REGIONS)) ? 'pass' : 'DROP');
      order++;
      const r = c.region;
      // With --match, what the sub-image search's own matcher claims for a region the gate alone passes, in each index.
      const claim = (/** @type {any} */ m) => {
        const o = m.subimage.matcher.match(c.pixels ?? cut(image, c.region));
        return o.kind === 'match' ? `${o.match.distance}${o.match.reference.id === expected ? "" : `(${o.match.reference.id})`} ${o.match.transform}` : o.kind;
      };
      // And the distance the crop stage's alignment reaches from the whole region to its reference's nearest core view, were that view a candidate.
      const aligned = () => {
        const pixels = c.pixels ?? cut(image, c.region);
        const whole = { x: 0, y: 0, width: pixels.width, height: pixels.height };
        const regionPlane = new FilteredPlane(pixels);
        return Math.min(...hashes.filter((h) => h.core).map((h) => refineAlignment(regionPlane, whole, 'original', h.hash).distance));
      };
      const claims =
        values.match && verdicts[0] === 'pass' ? ` | matcher alone ${claim(alone)}${crowded ? `, crowded ${claim(crowded)}; own core view aligned from the whole region ${aligned()}` : ''}` : '';
      console.log(`    region ${r.x},${r.y} ${r.width}x${r.height}: rough ${nearestOwn} (core ${nearestCore}, with trim views ${nearestTrim}) from ${expected}${band.length ? ` [low16 ${band[0]} low20 ${band[1]} check ${band[2]} at ${band[3]}, key ${band[4]}th by margin]` : ''}; gate alone ${verdicts[0]}${crowded ? `, crowded ${verdicts[1]}` : ''}${claims}`);
    }
  }
}

/**
 * Per orientation, the nearest coarse and probe crop (exact, to the expected reference's core views)
 * and how many of them the crowded index meets at depth 0 and 1 (see --grid).
 * @param {Buffer} bytes @param {string} expected
 */
async function traceGrid(bytes, expected) {
  const decoded = await decodeImage(bytes, { maxImagePixels: 100_000_000 });
  if (!decoded.ok || !crowded) return;
  const image = decoded.image;
  const isCore = (/** @type {string} */ v) => v === 'full' || new Set(v.replace(/^crop:/, '').split(',')).size === 1;
  const own = (references.find((r) => r.id === expected)?.pdq ?? []).filter((e) => isCore(e.variant)).map((e) => /** @type {Uint32Array} */ (hashFromHex(e.hash)));
  const index = /** @type {any} */ (crowded).direct.hamming;
  const hasher = new PdqHasher();
  const plane = new FilteredPlane(image);
  const views = queryViews(image, plane).filter((v) => v.result.quality >= 50);
  const raw = new Float32Array(256);
  const turned = new Float32Array(256);
  for (const [name, crops] of /** @type {const} */ ([['coarse', COARSE_QUERY_CROPS], ['probe', PROBE_QUERY_CROPS]])) {
    /** @type {string[]} */
    const line = [];
    for (const d of DIHEDRAL) {
      let nearest = Infinity;
      const met = [0, 0];
      for (const view of views) {
        for (const crop of crops) {
          plane.dctOf(cropRect(view.rect, crop), raw);
          if (d !== 'original') transformDct(raw, d, turned);
          const hash = hasher.hashFromDct(d === 'original' ? raw : turned, newHash());
          nearest = Math.min(nearest, ...own.map((o) => hamming(hash, o)));
          for (const depth of [0, 1]) {
            let mine = false;
            index.search(hash, 80, (/** @type {number} */ e) => (mine ||= own.some((o) => hamming(index.hashOf(e), o) === 0)), depth);
            if (mine) met[depth] = (met[depth] ?? 0) + 1;
          }
        }
      }
      line.push(`${d} ${nearest}${met[0] || met[1] ? ` (m0 ${met[0]} m1 ${met[1]})` : ''}`);
    }
    console.log(`    ${name} crops: ${line.join(', ')}`);
  }
}
