// @ts-check
/**
 * The shipped example case, built in memory: the agency's reference set, the subcontractor's share
 * with planted copies (exact, perceptual, archived, plate records) among unrelated files, and the
 * ground-truth plan. Writing it to disk is generate-fixtures.js's job.
 *
 * Image bytes depend on the seed and on `now` (capture dates are relative to it, like the mtimes),
 * so one `now` always gives the same bytes.
 */
import { createHash } from 'node:crypto';
import { expectedViolations, PLAN_POLICY } from './example-policy.js';
import { DOCUMENTS, gatewayLog, laneEventsJsonl, ocrSampleCsv, randomBytes } from './example-text.js';
import { generatePlates, plateReads, plateReadsCsv } from './plates.js';
import { plateCrop, travelerPortrait, vehicleCapture } from './scenes.js';
import { transforms } from './transforms.js';
import { writeZip } from './zip.js';

const DAY = 86_400_000;
export const EXAMPLE_SEED = 2026;
export const READS_ID = 'plate-reads/reads-2026-10.csv';

/**
 * @typedef {object} CaseFile
 * @property {string} path relative to the output directory, '/'-separated
 * @property {Buffer} data
 * @property {number} mode
 * @property {number} ageDays mtime = now - ageDays
 */

/**
 * @typedef {object} Plant One planted copy of agency data in the contractor share.
 * @property {string} location relative to contractor-share; archive members as 'a.zip!/member'
 * @property {string} reference agency-data-relative id of what it copies
 * @property {'exact' | 'perceptual' | 'archive' | 'record'} kind
 * @property {string} class asset class: traveler-image, vehicle-image, plate-image, plate-record
 * @property {string} mode octal, e.g. '0644' (the archive's own mode for members)
 * @property {number} ageDays by mtime (the archive's for members)
 * @property {string[]} violations expected under plan.policy, dating by mtime
 * @property {number} [capturedAgeDays] age by the image's EXIF capture date, when it has one
 * @property {string[]} [violationsByCaptureDate] expected when retention uses the capture date
 * @property {string} [transform] for perceptual plants, the transforms applied
 * @property {number} [records] for record plants, distinct agency plates in the file
 */

/**
 * @param {{ now: Date, seed?: number }} options
 * @returns {Promise<{ files: CaseFile[], plan: object }>}
 */
export async function buildExampleCase({ now, seed = EXAMPLE_SEED }) {
  const at = (/** @type {number} */ days, /** @type {number} */ extraSeconds = 0) => new Date(now.getTime() - days * DAY + extraSeconds * 1000);
  /** @type {CaseFile[]} */
  const files = [];
  /** @type {Map<string, Buffer>} */
  const agency = new Map();
  /** @type {Map<string, { class: string, capturedAgeDays?: number }>} */
  const refInfo = new Map();

  // --- Agency plates and reads -------------------------------------------------------------
  const agencyPlates = generatePlates({ seed, count: 60 });
  const otherPlates = generatePlates({ seed: seed + 1, count: 60, exclude: new Set(agencyPlates) });
  const reads = plateReads({ seed, count: 200, plates: agencyPlates });
  agency.set(READS_ID, Buffer.from(plateReadsCsv(reads)));
  refInfo.set(READS_ID, { class: 'plate-record' });

  // --- Agency images, rendered two at a time (JS noise on one, libvips encoding the other) ----
  const lanes = [
    { id: 'lanes/lane3-cam07-0001.jpg', camera: 'L3-C07', age: 4 },
    { id: 'lanes/lane3-cam07-0002.jpg', camera: 'L3-C07', age: 9 },
    { id: 'lanes/lane3-cam07-0003.jpg', camera: 'L3-C07', age: 160 },
    { id: 'lanes/lane3-cam07-0004.jpg', camera: 'L3-C07', age: 230 },
    { id: 'lanes/lane3-cam07-0005.jpg', camera: 'L3-C07', age: 120 },
    { id: 'lanes/lane4-cam09-0006.jpg', camera: 'L4-C09', age: 300 },
    { id: 'lanes/lane4-cam09-0007.jpg', camera: 'L4-C09', age: 95 },
    { id: 'lanes/lane4-cam09-0008.jpg', camera: 'L4-C09', age: 380 },
  ];
  /** @type {Array<() => Promise<void>>} */
  const jobs = [];
  lanes.forEach((lane, i) => {
    const captured = at(lane.age, (i * 7919) % 40_000);
    refInfo.set(lane.id, { class: 'vehicle-image', capturedAgeDays: lane.age });
    jobs.push(async () => {
      const plate = /** @type {string} */ (agencyPlates[i]);
      agency.set(lane.id, await vehicleCapture({ seed: seed * 100 + i, cameraId: lane.camera, plate, timestamp: captured, quality: 75, exif: laneExif(lane.camera, captured) }));
    });
  });
  for (let i = 1; i <= 6; i++) {
    const id = `travelers/traveler-000${i}.jpg`;
    refInfo.set(id, { class: 'traveler-image' });
    jobs.push(async () => void agency.set(id, await travelerPortrait({ seed: seed * 100 + 20 + i })));
  }
  for (let i = 1; i <= 4; i++) {
    const id = `plates/plate-000${i}.jpg`;
    refInfo.set(id, { class: 'plate-image' });
    jobs.push(async () => void agency.set(id, await plateCrop({ seed: seed * 100 + 40 + i, plate: /** @type {string} */ (agencyPlates[8 + i]) })));
  }
  /** @type {Map<string, Buffer>} */
  const unrelated = new Map();
  const decoys = [
    { name: 'vehicle-a', camera: 'L3-C07', age: 6 },
    { name: 'vehicle-b', camera: 'L3-C07', age: 50 },
    { name: 'vehicle-c', camera: 'L4-C09', age: 15 },
  ];
  decoys.forEach((decoy, i) => {
    jobs.push(async () => {
      const captured = at(decoy.age, 3600 * (i + 3));
      unrelated.set(decoy.name, await vehicleCapture({ seed: seed * 100 + 60 + i, cameraId: decoy.camera, plate: /** @type {string} */ (otherPlates[i]), timestamp: captured, quality: 75 }));
    });
  });
  for (let i = 1; i <= 3; i++) jobs.push(async () => void unrelated.set(`portrait-${i}`, await travelerPortrait({ seed: seed * 100 + 70 + i })));
  for (let i = 1; i <= 2; i++) jobs.push(async () => void unrelated.set(`plate-${i}`, await plateCrop({ seed: seed * 100 + 80 + i, plate: /** @type {string} */ (otherPlates[10 + i]) })));
  await runLimited(jobs, 2);

  for (const [id, data] of [...agency].sort(([a], [b]) => (a < b ? -1 : 1))) files.push({ path: `agency-data/${id}`, data, mode: 0o644, ageDays: 1 });

  // --- Contractor share ----------------------------------------------------------------------
  /** @type {Plant[]} */
  const plants = [];
  /** @type {{ location: string, note: string }[]} */
  const others = [];
  const ref = (/** @type {string} */ id) => /** @type {Buffer} */ (agency.get(id));
  const share = (/** @type {string} */ location, /** @type {Buffer} */ data, /** @type {number} */ mode, /** @type {number} */ ageDays) =>
    files.push({ path: `contractor-share/${location}`, data, mode, ageDays });
  /**
   * @param {string} location
   * @param {string} reference
   * @param {Plant['kind']} kind
   * @param {number} mode
   * @param {number} ageDays
   * @param {Partial<Plant>} [extra]
   */
  const plant = (location, reference, kind, mode, ageDays, extra = {}) => {
    const info = /** @type {{ class: string, capturedAgeDays?: number }} */ (refInfo.get(reference));
    const inArchive = location.includes('!/');
    /** @type {Plant} */
    const entry = { location, reference, kind, class: info.class, mode: octal(mode), ageDays, violations: expectedViolations({ location, mode, ageDays, inArchive }), ...extra };
    // Only byte-identical image copies keep the EXIF capture date; transforms drop metadata.
    if (info.capturedAgeDays !== undefined && (kind === 'exact' || kind === 'archive')) {
      entry.capturedAgeDays = info.capturedAgeDays;
      entry.violationsByCaptureDate = expectedViolations({ location, mode, ageDays: info.capturedAgeDays, inArchive });
    }
    plants.push(entry);
  };
  /**
   * @param {string} location
   * @param {string} reference
   * @param {number} mode
   * @param {number} ageDays
   */
  const exact = (location, reference, mode, ageDays) => {
    share(location, ref(reference), mode, ageDays);
    plant(location, reference, 'exact', mode, ageDays);
  };
  const other = (/** @type {string} */ location, /** @type {Buffer | string} */ data, /** @type {number} */ mode, /** @type {number} */ ageDays, /** @type {string} */ note) => {
    share(location, Buffer.isBuffer(data) ? data : Buffer.from(data), mode, ageDays);
    others.push({ location, note });
  };
  const decoy = (/** @type {string} */ name) => /** @type {Buffer} */ (unrelated.get(name));

  // Authorised enclave: exact copies, tight modes, recent.
  exact('secure-enclave/lanes/lane3-cam07-0001.jpg', 'lanes/lane3-cam07-0001.jpg', 0o640, 2);
  exact('secure-enclave/lanes/lane3-cam07-0002.jpg', 'lanes/lane3-cam07-0002.jpg', 0o600, 6);
  exact('secure-enclave/travelers/traveler-0001.jpg', 'travelers/traveler-0001.jpg', 0o600, 3);
  exact('secure-enclave/travelers/traveler-0002.jpg', 'travelers/traveler-0002.jpg', 0o640, 12);
  exact('secure-enclave/plates/plate-0001.jpg', 'plates/plate-0001.jpg', 0o600, 5);
  share('secure-enclave/plate-reads/reads-2026-10.csv', ref(READS_ID), 0o600, 2);
  plant('secure-enclave/plate-reads/reads-2026-10.csv', READS_ID, 'record', 0o600, 2, { records: agencyPlates.length });
  other('secure-enclave/README.txt', DOCUMENTS.enclaveReadme, 0o640, 20, 'enclave readme');

  // Corporate network: renamed copies with wrong extensions, loose modes, old dates.
  exact('corp-network/projects/vendor-eval/assets/frame_0042.dat', 'lanes/lane3-cam07-0003.jpg', 0o644, 75);
  exact('corp-network/projects/vendor-eval/assets/IMG_2211.bin', 'lanes/lane4-cam09-0006.jpg', 0o664, 140);
  exact('corp-network/projects/training-set/faces/sample-a.txt', 'travelers/traveler-0003.jpg', 0o644, 8);
  exact('corp-network/projects/training-set/faces/traveler photo (copy).jpg', 'travelers/traveler-0004.jpg', 0o640, 400);
  exact('corp-network/projects/training-set/plates/p_01.png', 'plates/plate-0002.jpg', 0o640, 200);
  const events = laneEventsJsonl({ seed, agency: agencyPlates.slice(0, 30), other: otherPlates.slice(20, 40), start: at(12) });
  share('corp-network/projects/analytics/lane-events.jsonl', Buffer.from(events.text), 0o644, 12);
  plant('corp-network/projects/analytics/lane-events.jsonl', READS_ID, 'record', 0o644, 12, { records: events.agencyPlates });
  other('corp-network/projects/ocr-tests/plates-sample.csv', ocrSampleCsv(otherPlates.slice(0, 40)), 0o644, 90, 'CSV with a plate column, no agency plate');
  other('corp-network/projects/ocr-tests/crop-a.jpg', decoy('plate-1'), 0o644, 90, 'other plate, same template');
  other('corp-network/projects/ocr-tests/crop-b.jpg', decoy('plate-2'), 0o664, 90, 'other plate, same template');
  other('corp-network/projects/vendor-eval/assets/frame_0043.dat', decoy('vehicle-a'), 0o644, 75, 'other vehicle, same camera');
  other('corp-network/projects/vendor-eval/report draft v2.md', DOCUMENTS.reportDraft, 0o644, 70, 'document');
  other('corp-network/projects/training-set/faces/sample-b.txt', decoy('portrait-1'), 0o644, 8, 'other portrait');
  other('corp-network/shared/meeting-notes.md', DOCUMENTS.meetingNotes, 0o644, 74, 'document');
  other('corp-network/shared/budget-2026.xlsx', randomBytes(seed + 3, 9_000), 0o664, 33, 'random binary');
  other('corp-network/shared/empty.log', Buffer.alloc(0), 0o644, 1, 'empty file');

  // Perceptual copies (found only by perceptual matching).
  /** @type {Array<[string, string, string, (b: Buffer) => Promise<Buffer>, number, number]>} */
  const derived = [
    ['corp-network/thumbnails/t_0001.jpg', 'lanes/lane3-cam07-0001.jpg', 'thumbnail(180)', (b) => transforms.thumbnail(b, { size: 180 }), 0o644, 10],
    ['corp-network/thumbnails/frame-small.jpg', 'lanes/lane4-cam09-0007.jpg', 'resize-50', (b) => transforms['resize-50'](b), 0o664, 90],
    ['corp-network/thumbnails/face_crop.jpg', 'travelers/traveler-0005.jpg', 'crop(5%)', (b) => transforms.crop(b, { percent: 5 }), 0o644, 10],
    ['corp-network/thumbnails/plate-q50.jpg', 'plates/plate-0003.jpg', 'reencode-q50', (b) => transforms['reencode-q50'](b), 0o640, 45],
  ];
  for (const [location, reference, name, apply, mode, age] of derived) {
    share(location, await apply(ref(reference)), mode, age);
    plant(location, reference, 'perceptual', mode, age, { transform: name });
  }
  other('corp-network/thumbnails/t_0002.jpg', await transforms.thumbnail(decoy('vehicle-c'), { size: 180 }), 0o644, 10, 'thumbnail of another vehicle, same camera');

  // A laptop.
  exact('laptops/jsmith/Desktop/lane-review/lane3-cam07-0004.jpg', 'lanes/lane3-cam07-0004.jpg', 0o600, 3);
  exact('laptops/jsmith/Desktop/passport-check.jpg', 'travelers/traveler-0005.jpg', 0o644, 45);
  other('laptops/jsmith/Desktop/todo.txt', DOCUMENTS.todo, 0o644, 2, 'document');
  other("laptops/jsmith/Desktop/Zoë's notes – März 2026.txt", DOCUMENTS.unicodeNotes, 0o644, 20, 'spaces and unicode in the name');
  other('laptops/jsmith/Desktop/lane-review/other-car.jpg', decoy('vehicle-b'), 0o644, 3, 'other vehicle, same camera');
  other('laptops/jsmith/Desktop/headshot.jpg', decoy('portrait-2'), 0o644, 30, 'other portrait');

  // Backups.
  exact('backups/2026-09/images/0001.jpg', 'lanes/lane4-cam09-0008.jpg', 0o640, 70);
  exact('backups/2026-09/images/0002.jpg', 'travelers/traveler-0006.jpg', 0o640, 70);
  exact('backups/2026-09/images/0003', 'plates/plate-0004.jpg', 0o640, 70);
  share('backups/2026-09/plate-reads-export.csv', ref(READS_ID), 0o644, 40);
  plant('backups/2026-09/plate-reads-export.csv', READS_ID, 'record', 0o644, 40, { records: agencyPlates.length });
  const log = gatewayLog({ seed, agency: agencyPlates, other: otherPlates.slice(40), start: at(41) });
  share('backups/2026-09/gateway.log', Buffer.from(log.text), 0o644, 40);
  plant('backups/2026-09/gateway.log', READS_ID, 'record', 0o644, 40, { records: log.agencyPlates });
  other('backups/2026-09/images/0004.jpg', decoy('vehicle-c'), 0o640, 70, 'other vehicle, same camera');
  other('backups/2026-09/images/0005.jpg', decoy('portrait-3'), 0o640, 70, 'other portrait');
  other('backups/2026-09/db-dump.bin', randomBytes(seed + 4, 24_000), 0o640, 45, 'random binary');

  const zipAge = 45;
  const zipMembers = [
    { name: 'export/lanes/lane3-cam07-0005.jpg', reference: 'lanes/lane3-cam07-0005.jpg' },
    { name: 'export/travelers/traveler-0001.jpg', reference: 'travelers/traveler-0001.jpg' },
  ];
  const zip = writeZip([
    ...zipMembers.map((m) => ({ name: m.name, data: ref(m.reference), mtime: at(zipAge) })),
    { name: 'export/README.txt', data: Buffer.from('Export of lane review material, September.\n'), mtime: at(zipAge) },
  ]);
  share('backups/2026-09/export.zip', zip, 0o640, zipAge);
  for (const m of zipMembers) plant(`backups/2026-09/export.zip!/${m.name}`, m.reference, 'archive', 0o640, zipAge);

  plants.sort((a, b) => (a.location < b.location ? -1 : 1));
  others.sort((a, b) => (a.location < b.location ? -1 : 1));
  const outside = plants.filter((p) => p.violations.includes('location'));
  const plan = {
    format: 'custody-example-plan',
    version: 1,
    now: now.toISOString(),
    seed,
    policy: PLAN_POLICY,
    summary: {
      plants: plants.length,
      byKind: countBy(plants, (p) => p.kind),
      outsideAuthorised: outside.length,
      unrelated: others.length,
    },
    plants,
    unrelated: others,
    containers: [{ location: 'backups/2026-09/export.zip', kind: 'zip', members: zipMembers.length + 1, unrelatedMembers: ['export/README.txt'] }],
  };
  files.push({ path: 'plate.key', data: Buffer.from(`${createHash('sha256').update(`custody example plate key ${seed}`).digest('hex')}\n`), mode: 0o600, ageDays: 0 });
  files.push({ path: 'plan.json', data: Buffer.from(`${JSON.stringify(plan, null, 2)}\n`), mode: 0o644, ageDays: 0 });
  return { files, plan };
}

/**
 * Provenance a lane camera writes: the markers issue 3 lets a policy recognise.
 * @param {string} camera
 * @param {Date} captured
 */
function laneExif(camera, captured) {
  return {
    Make: 'Synthetic Optics',
    Model: 'LaneCam X7',
    BodySerialNumber: `SO-X7-${camera}`,
    Artist: 'Frontier State Border Agency (synthetic)',
    Copyright: 'Frontier State Border Agency - agency property',
    ImageDescription: `Vehicle capture ${camera}`,
    DateTimeOriginal: captured,
  };
}

/** @param {number} mode */
const octal = (mode) => `0${(mode & 0o777).toString(8).padStart(3, '0')}`;

/**
 * @template T
 * @param {readonly T[]} items
 * @param {(item: T) => string} key
 */
function countBy(items, key) {
  /** @type {Record<string, number>} */
  const out = {};
  for (const item of items) out[key(item)] = (out[key(item)] ?? 0) + 1;
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => (a < b ? -1 : 1)));
}

/**
 * Runs jobs with at most `limit` in flight.
 * @param {ReadonlyArray<() => Promise<void>>} jobs
 * @param {number} limit
 */
async function runLimited(jobs, limit) {
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const job = /** @type {() => Promise<void>} */ (jobs[next++]);
      await job();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, jobs.length) }, worker));
}
