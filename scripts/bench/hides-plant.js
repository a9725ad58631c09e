// @ts-check
/**
 * The hiding-places bench's tree (issue #18): agency references rendered like the main bench's
 * (scripts/bench/tree.js: vehicle captures, plate crops, traveler portraits from scripts/synth), the
 * plate-read export they are fingerprinted from, and a contractor share holding agency data in every
 * kind of container the issue lists, each kind with negatives of the same shape (other renders of the
 * same generators, other plates). The kinds themselves are built in hides-documents.js (PDF, e-mail,
 * embedded base64, text encodings, split plates) and hides-binaries.js (SQLite, Parquet, compressed
 * archives, video, HEIC, git history).
 *
 * Layout of bench/work/hides-<hash>/: agency/, plate.key, share/<kind>/..., repos/{pos,neg}/ (git
 * repositories audited with --git), plan.json (what was planted where).
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { generatePlates, plateReads, plateReadsCsv } from '../synth/plates.js';
import { subSeed } from '../synth/prng.js';
import { plateCrop, travelerPortrait, vehicleCapture } from '../synth/scenes.js';
import { plantBinaries } from './hides-binaries.js';
import { plantDocuments } from './hides-documents.js';

/** Bump when the generator's output changes, so a cached tree is rebuilt. */
const GENERATOR = 5;

/**
 * @typedef {object} Ref A rendered picture: an agency reference (id = its location under agency/) or not (id undefined).
 * @property {string | undefined} id
 * @property {'vehicles' | 'plates' | 'travelers'} kind
 * @property {Buffer} bytes JPEG
 */

/**
 * @typedef {object} Planted One audited file (or git path) and what it holds.
 * @property {string} kind the row of the table
 * @property {string} group the issue's table row it belongs to
 * @property {string} rel share-relative path, or `repos/<repo>:<path in history>` for git
 * @property {string[]} images agency reference ids planted in it
 * @property {number} plates distinct agency plates planted in it
 * @property {boolean} negative holds only non-agency pictures and plates
 * @property {'found' | 'coverage'} expect `coverage`: sealed (a password), so the audit cannot see in
 *   and must record the file in coverage as incomplete; its contents are not counted as planted
 */

/** @typedef {{ images?: Ref[], plates?: number, negative?: boolean, expect?: 'found' | 'coverage' }} Held what a planted file holds */

/**
 * @typedef {object} Plant What a kind builder gets.
 * @property {string} share
 * @property {string} root the tree's directory
 * @property {string} tmp scratch folder (emptied after generation)
 * @property {(kind: string, group: string, rel: string, bytes: Buffer | string, held: Held) => Promise<void>} put
 * @property {(kind: string, group: string, rel: string, held: Held) => void} record a file the builder wrote itself
 * @property {(n: number, k?: Ref['kind']) => Ref[]} agency the next n agency references (round robin, of kind k when given)
 * @property {(n: number, k?: Ref['kind']) => Ref[]} other the next n non-agency pictures
 * @property {(n: number) => string[]} agencyPlates the next n agency plates (each planted once)
 * @property {(n: number) => string[]} otherPlates the next n non-agency plates
 * @property {(plates: string[], seed: number) => string[]} readLines plate-reader lines for `plates`, shuffled with others
 */

const KINDS = /** @type {const} */ (['vehicles', 'plates', 'travelers']);

/**
 * Returns the tree, generating it when its plan.json is absent.
 * @param {string} workDir bench/work
 * @param {{ seed: number, refsPerKind: number, othersPerKind: number }} params
 * @param {(line: string) => void} log
 */
export async function ensureHidesTree(workDir, params, log) {
  const hash = createHash('sha256').update(JSON.stringify({ GENERATOR, params })).digest('hex').slice(0, 12);
  const dir = path.join(workDir, `hides-${hash}`);
  const planFile = path.join(dir, 'plan.json');
  if (existsSync(planFile)) return { dir, reused: true, ...JSON.parse(await readFile(planFile, 'utf8')) };
  await rm(dir, { recursive: true, force: true });
  const plan = await generate(dir, params, log);
  await writeFile(planFile, `${JSON.stringify(plan, null, 2)}\n`);
  return { dir, reused: false, ...plan };
}

/**
 * @param {string} dir
 * @param {{ seed: number, refsPerKind: number, othersPerKind: number }} p
 * @param {(line: string) => void} log
 */
async function generate(dir, p, log) {
  const agencyDir = path.join(dir, 'agency');
  const share = path.join(dir, 'share');
  const tmp = path.join(dir, 'tmp');
  await mkdir(tmp, { recursive: true });
  const agencyPlateList = generatePlates({ seed: subSeed(p.seed, 'agency'), count: 1500 });
  const otherPlateList = generatePlates({ seed: subSeed(p.seed, 'other'), count: 20000, exclude: new Set(agencyPlateList) });
  await mkdir(path.join(agencyDir, 'plate-reads'), { recursive: true });
  await writeFile(path.join(dir, 'plate.key'), `${createHash('sha256').update(`hides-key-${p.seed}`).digest('hex')}\n`);
  await writeFile(path.join(agencyDir, 'plate-reads', 'reads-2026-10.csv'), plateReadsCsv(plateReads({ seed: p.seed, count: agencyPlateList.length, plates: agencyPlateList })));

  log(`rendering ${p.refsPerKind * 3} agency references and ${p.othersPerKind * 3} other pictures ...`);
  /** @type {Ref[]} */
  const agencyRefs = [];
  /** @type {Ref[]} */
  const otherRefs = [];
  for (const [k, kind] of KINDS.entries()) {
    for (let i = 0; i < p.refsPerKind + p.othersPerKind; i++) {
      const isAgency = i < p.refsPerKind;
      const seed = subSeed(p.seed, `${isAgency ? 'ref' : 'other'}:${kind}:${i}`);
      const plate = /** @type {string} */ ((isAgency ? agencyPlateList : otherPlateList)[k * 50 + i]);
      const bytes = await render(kind, seed, plate, i);
      if (isAgency) {
        const id = `${kind}/${kind.slice(0, -1)}-${String(i).padStart(3, '0')}.jpg`;
        await mkdir(path.join(agencyDir, kind), { recursive: true });
        await writeFile(path.join(agencyDir, id), bytes);
        agencyRefs.push({ id, kind, bytes });
      } else otherRefs.push({ id: undefined, kind, bytes });
    }
  }

  /** @type {Planted[]} */
  const planted = [];
  /** Round robin over the classes (vehicle, plate crop, portrait, vehicle, ...), so every kind gets all three. @param {Ref[]} refs */
  const cycler = (refs) => {
    const each = KINDS.map((k) => refs.filter((r) => r.kind === k));
    refs = Array.from({ length: refs.length }, (_, i) => /** @type {Ref} */ (each[i % 3]?.[Math.floor(i / 3)])).filter(Boolean);
    /** @type {Record<string, number>} */
    const at = {};
    return (/** @type {number} */ n, /** @type {Ref['kind'] | undefined} */ k) => {
      const pool = k ? refs.filter((r) => r.kind === k) : refs;
      const key = k ?? 'any';
      return Array.from({ length: n }, () => /** @type {Ref} */ (pool[(at[key] = (at[key] ?? -1) + 1) % pool.length]));
    };
  };
  /** @param {string[]} list */
  const taker = (list) => {
    let at = 0;
    return (/** @type {number} */ n) => {
      if (at + n > list.length) throw new RangeError('the bench ran out of plates: raise the generated count');
      return list.slice(at, (at += n));
    };
  };
  const otherPlates = taker(otherPlateList);
  /** @type {Plant} */
  const plant = {
    share,
    root: dir,
    tmp,
    async put(kind, group, rel, bytes, held) {
      const file = path.join(share, rel);
      await mkdir(path.dirname(file), { recursive: true });
      await writeFile(file, bytes);
      plant.record(kind, group, rel, held);
    },
    record(kind, group, rel, held) {
      const images = (held.images ?? []).flatMap((r) => (r.id ? [r.id] : []));
      planted.push({ kind, group, rel, images, plates: held.negative ? 0 : (held.plates ?? 0), negative: held.negative ?? false, expect: held.expect ?? 'found' });
    },
    agency: cycler(agencyRefs),
    other: cycler(otherRefs),
    agencyPlates: taker(agencyPlateList),
    otherPlates,
    readLines(plates, seed) {
      const mixed = [...plates, ...otherPlates(plates.length)];
      const rows = plateReads({ seed, count: mixed.length, plates: mixed });
      return rows.map((r) => `${r.captured_at} lane ${r.lane} ${r.camera} ${r.plate} conf ${r.confidence}`);
    },
  };
  log('planting documents, e-mail, base64, encodings and split plates ...');
  await plantDocuments(plant);
  log('planting databases, Parquet, archives, video, HEIC and git history ...');
  await plantBinaries(plant);
  await rm(tmp, { recursive: true, force: true });
  return { params: p, references: agencyRefs.length, planted };
}

/**
 * @param {Ref['kind']} kind @param {number} seed @param {string} plate @param {number} i
 * @returns {Promise<Buffer>}
 */
function render(kind, seed, plate, i) {
  if (kind === 'vehicles') {
    const cameraId = ['L3-C07', 'L4-C09', 'L1-C02'][i % 3] ?? 'L3-C07';
    return vehicleCapture({ seed, cameraId, plate, timestamp: new Date(Date.UTC(2026, 9, 1) + seed * 61_000), quality: 88 });
  }
  return kind === 'plates' ? plateCrop({ seed, plate, quality: 90 }) : travelerPortrait({ seed, quality: 90 });
}
