// @ts-check
/**
 * The robustness bench's references, negatives and hard negatives as specs (kind, seed, camera,
 * timestamp, plate), and how a spec is drawn: one definition for robustness.js and the scripts that
 * replay its copies (robustness-warp-trace.js, robustness-1m-trace.js), so that a trace sees the very
 * references the bench measured.
 */

export const CAMERAS = ['L3-C07', 'L4-C09'];
export const KINDS = /** @type {const} */ (['vehicle', 'plate', 'portrait']);
export const ASSET_CLASS = { vehicle: 'vehicle-image', plate: 'plate-image', portrait: 'traveler-image' };

/** @typedef {{ kind: typeof KINDS[number], seed: number, index: number, plate?: string, cameraId?: string, timestamp?: string }} Spec */

/**
 * The specs of `perKind` references, `negativesPerKind` negatives and `hardPerKind` hard negatives of
 * each kind; plates are drawn in that order from one seeded list.
 * @param {number} perKind @param {number} negativesPerKind @param {number} hardPerKind
 */
export async function robustnessSpecs(perKind, negativesPerKind, hardPerKind) {
  const { generatePlates } = await import('../synth/plates.js');
  const plates = generatePlates({ seed: 20261001, count: 2 * (perKind + negativesPerKind + hardPerKind) });
  let p = 0;
  /** @type {{ refs: Spec[], negatives: Spec[], hard: Spec[] }} */
  const out = { refs: [], negatives: [], hard: [] };
  for (const role of /** @type {const} */ (['refs', 'negatives', 'hard'])) {
    const count = role === 'refs' ? perKind : role === 'negatives' ? negativesPerKind : hardPerKind;
    const seedBase = role === 'refs' ? 1000 : role === 'negatives' ? 500_000 : 900_000;
    for (const kind of KINDS) {
      for (let i = 0; i < count; i++) {
        /** @type {Spec} */
        const spec = { kind, seed: seedBase + i, index: i };
        if (kind === 'vehicle') {
          spec.cameraId = CAMERAS[i % CAMERAS.length];
          spec.timestamp = new Date(Date.UTC(2026, 9, 1, 6) + (seedBase + i) * 97_000).toISOString();
        }
        if (kind !== 'portrait') spec.plate = plates[p++];
        out[role].push(spec);
      }
    }
  }
  return out;
}

/** The image a spec stands for (JPEG bytes). @param {Spec} spec @returns {Promise<Buffer>} */
export async function renderSpec(spec) {
  const scenes = await import('../synth/scenes.js');
  if (spec.kind === 'vehicle') return scenes.vehicleCapture({ seed: spec.seed, cameraId: /** @type {string} */ (spec.cameraId), plate: /** @type {string} */ (spec.plate), timestamp: /** @type {string} */ (spec.timestamp) });
  if (spec.kind === 'plate') return scenes.plateCrop({ seed: spec.seed, plate: /** @type {string} */ (spec.plate) });
  return scenes.travelerPortrait({ seed: spec.seed });
}

/** A reference's id in the bench: `vehicle/0002.jpg`. @param {Spec} spec */
export const referenceIdOf = (spec) => `${spec.kind}/${String(spec.index).padStart(4, '0')}.jpg`;
