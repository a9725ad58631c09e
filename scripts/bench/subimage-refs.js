// @ts-check
/**
 * The twelve references and the unrelated synthetic scenes the sub-image cost benches
 * (subimage-cost.js, off-axis-cost.js) share: vehicle captures, plate crops and portraits from fixed
 * seeds, and `render` to make more scenes from seeds no reference uses. Needs dist/ built.
 */
const scenes = await import('../synth/scenes.js');
const { generatePlates } = await import('../synth/plates.js');
const { buildReferences } = await import('../../dist/calibrate/references.js');
const { pdqIndexOfReferences } = await import('../../dist/identify/pdq/pdq-index.js');

const plates = generatePlates({ seed: 20_261_019, count: 64 });

/** Scene `i` (vehicle, plate crop, portrait in turn) drawn from `seed`. @param {number} i @param {number} seed */
export const render = (i, seed) => {
  const plate = /** @type {string} */ (plates[i % plates.length]);
  if (i % 3 === 0) return scenes.vehicleCapture({ seed, cameraId: i % 2 ? 'L3-C07' : 'L4-C09', plate, timestamp: '2026-10-03T08:00:00.000Z' });
  if (i % 3 === 1) return scenes.plateCrop({ seed, plate });
  return scenes.travelerPortrait({ seed });
};

/** The PDQ index of the twelve references (seeds 1000-1011). */
export async function twelveReferences() {
  const refs = [];
  for (let i = 0; i < 12; i++) refs.push({ id: `ref/${i}`, class: 'vehicle-image', bytes: await render(i, 1000 + i) });
  return pdqIndexOfReferences(await buildReferences(refs));
}
