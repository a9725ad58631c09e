// @ts-check
/**
 * Text and binary bodies for the example case: plate-record files (the agency's export and the
 * contractor's logs and event dumps that leaked its plates) and unrelated documents. Plates are
 * spelled in the variants a plate scanner must normalise: ABC1234, ABC 1234, abc-1234.
 */
import { rng, subSeed } from './prng.js';

/**
 * A plate as a human or another system might have typed it.
 * @param {string} plate
 * @param {number} variant 0 plain, 1 spaced, 2 lower case with a dash
 */
export function spellPlate(plate, variant) {
  if (variant === 0) return plate;
  const cut = /^\d/.test(plate) ? 4 : /^[A-Z]{2}\d/.test(plate) ? 4 : 3;
  const [a, b] = [plate.slice(0, cut), plate.slice(cut)];
  return variant === 1 ? `${a} ${b}` : `${a}-${b}`.toLowerCase();
}

/**
 * A gateway log that mentions plates among other events.
 * @param {{ seed: number, agency: readonly string[], other: readonly string[], start: Date }} spec
 * @returns {{ text: string, agencyPlates: number }} agencyPlates: distinct agency plates written
 */
export function gatewayLog({ seed, agency, other, start }) {
  const random = rng(subSeed(seed, 'gateway-log'));
  const lines = [];
  const seen = new Set();
  let t = start.getTime();
  for (let i = 0; i < 90; i++) {
    t += random.int(5, 400) * 1000;
    const stamp = new Date(t).toISOString();
    const roll = random.next();
    if (roll < 0.3) {
      lines.push(`${stamp} INFO  healthcheck ok latency_ms=${random.int(3, 90)}`);
    } else if (roll < 0.6) {
      const plate = random.pick(agency);
      seen.add(plate);
      lines.push(`${stamp} INFO  lane=${random.int(1, 4)} event=read plate=${spellPlate(plate, i % 3)} conf=0.${random.int(80, 99)}`);
    } else if (roll < 0.85) {
      lines.push(`${stamp} WARN  lane=${random.int(1, 4)} event=manual-entry plate=${spellPlate(random.pick(other), i % 3)}`);
    } else {
      lines.push(`${stamp} DEBUG sync batch=${random.int(1000, 9999)} rows=${random.int(1, 500)} status=ok`);
    }
  }
  return { text: `${lines.join('\n')}\n`, agencyPlates: seen.size };
}

/**
 * Analytics events as JSON Lines, the plate nested two levels down.
 * @param {{ seed: number, agency: readonly string[], other: readonly string[], start: Date }} spec
 * @returns {{ text: string, agencyPlates: number }}
 */
export function laneEventsJsonl({ seed, agency, other, start }) {
  const random = rng(subSeed(seed, 'lane-events'));
  const lines = [];
  const seen = new Set();
  for (let i = 0; i < 40; i++) {
    const fromAgency = random.next() < 0.6;
    const plate = random.pick(fromAgency ? agency : other);
    if (fromAgency) seen.add(plate);
    const event = {
      id: `ev-${String(i + 1).padStart(4, '0')}`,
      at: new Date(start.getTime() + i * 97_000).toISOString(),
      lane: random.int(1, 4),
      vehicle: { class: random.pick(['car', 'van', 'truck', 'bus']), registration: { plate, region: 'FS' } },
      dwell_s: random.int(20, 600),
    };
    lines.push(JSON.stringify(event));
  }
  return { text: `${lines.join('\n')}\n`, agencyPlates: seen.size };
}

/**
 * An OCR test sheet with a `plate` column, holding no agency plate.
 * @param {readonly string[]} plates
 */
export function ocrSampleCsv(plates) {
  const rows = plates.map((plate, i) => `${i + 1},${plate},FS,${i % 4 === 0 ? 'blurred' : 'ok'}`);
  return `id,plate,state,notes\n${rows.join('\n')}\n`;
}

/**
 * Deterministic random bytes (the example's "binaries").
 * @param {number} seed
 * @param {number} size
 */
export function randomBytes(seed, size) {
  const random = rng(subSeed(seed, 'bytes'));
  const out = Buffer.alloc(size);
  for (let i = 0; i < size; i++) out[i] = Math.floor(random.next() * 256);
  return out;
}

/** Unrelated documents, keyed by name. */
export const DOCUMENTS = Object.freeze({
  meetingNotes: '# Vendor sync 2026-09-14\n\n- Lane throughput dashboard: draft ready\n- Action: archive old exports (owner: J. Smith)\n- Next sync in two weeks\n',
  todo: 'TODO\n- renew VPN token\n- send invoice #4471\n- clean up Desktop before audit\n',
  enclaveReadme: 'Secure enclave: authorised storage for agency data under the lane-camera subcontract.\nAccess: enclave-operators group only.\n',
  reportDraft: 'Vendor evaluation - draft v2\n\nCandidate OCR engines were compared on synthetic plates only.\n',
  unicodeNotes: 'Notizen für März: Übergabe der Kamera-Logs, Résumé der Tests, 設定の確認.\n',
});
