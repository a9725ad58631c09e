import { loadFingerprintFile } from '../references/load.js';
import type { PlateSet, Reference } from '../references/schema.js';
import { readStoreIfAny } from '../references/store-read.js';
import { plateDigestList, StoreRows, sameContent, storeIds } from '../references/store-rows.js';
import { type StoreMeta, type StoreSummary, writeStore } from '../references/store-write.js';
import { compareStrings } from '../util/compare.js';
import { UsageError } from '../util/errors.js';
import { escapeInvisible as quote } from '../util/escape.js';
import type { WriteGuard } from '../util/safe-write.js';
import { VERSION } from '../version.js';
import { mergedPlateMeta, type PlateMeta } from './plate-merge.js';

/** One input of a merge: its references by number, and what else it records. */
interface MergeInput {
  file: string;
  count: number;
  reference(index: number): Reference;
  ids(): Iterable<string>;
  plates: PlateMeta | undefined;
  digests: string[];
  roots: string[];
  createdAt: string;
}

/**
 * `custody fingerprint merge`: one single-segment store holding the union of fingerprint files
 * (stores of any number of segments, or v1 JSON), written so that its bytes do not depend on the
 * order of the inputs: references sorted by id, plate digests the sorted union, roots the inputs'
 * roots when they all agree and else their sorted union, `createdAt` the latest of the inputs and
 * `tool` this custody. An id in two inputs is kept once when its content is the same and refused
 * otherwise. Store inputs stay as their columns; a reference is decoded only as the writer reads it.
 * Merging one store compacts it (its segments become one).
 */
export async function mergeFingerprints(files: readonly string[], out: { guard: WriteGuard; cwd: string; path: string }): Promise<StoreSummary> {
  const inputs: MergeInput[] = [];
  for (const file of files) inputs.push(await openInput(file));
  const plan = mergePlan(inputs);
  const withPlates = inputs.filter((input) => input.plates);
  const plates: PlateSet | undefined =
    withPlates.length > 0
      ? { ...mergedPlateMeta(withPlates.map((input) => input.plates!)), digests: [...new Set(inputs.flatMap((input) => input.digests))].sort() }
      : undefined;
  const sameRoots = inputs.every((input) => JSON.stringify(input.roots) === JSON.stringify(inputs[0]!.roots));
  const meta: StoreMeta = {
    tool: { name: 'custody', version: VERSION },
    createdAt: inputs.map((input) => input.createdAt).sort((a, b) => Date.parse(a) - Date.parse(b) || compareStrings(a, b))[inputs.length - 1]!,
    roots: sameRoots ? inputs[0]!.roots : [...new Set(inputs.flatMap((input) => input.roots))].sort(compareStrings),
  };
  const references = function* () {
    for (let n = 0; n < plan.input.length; n++) yield inputs[plan.input[n]!]!.reference(plan.index[n]!);
  };
  return writeStore(references, plates, meta, out);
}

async function openInput(file: string): Promise<MergeInput> {
  const store = await readStoreIfAny(file);
  if (store) {
    const { columns, footer } = store;
    const rows = new StoreRows(columns, footer);
    return {
      file,
      count: footer.counts.references,
      reference: (index) => rows.row(index),
      ids: () => storeIds(columns),
      plates: footer.plates,
      digests: plateDigestList(columns.plateDigests),
      roots: footer.roots,
      createdAt: footer.createdAt,
    };
  }
  const { file: set } = await loadFingerprintFile(file);
  const { digests = [], ...plates } = set.plates ?? {};
  return {
    file,
    count: set.references.length,
    reference: (index) => set.references[index]!,
    ids: () => set.references.map((r) => r.id),
    plates: set.plates ? (plates as PlateMeta) : undefined,
    digests,
    roots: set.roots,
    createdAt: set.createdAt,
  };
}

/**
 * The merged order: for the n-th reference written, which input and which of its references. Each
 * input's ids are sorted once (a store of appended segments is sorted within each segment only),
 * then the inputs are merged by id; equal ids are checked for equal content and kept once. The
 * plan holds two numbers per reference; the ids are dropped once it is made.
 */
function mergePlan(inputs: readonly MergeInput[]): { input: Uint32Array; index: Uint32Array } {
  const sorted = inputs.map((input) => {
    const ids = [...input.ids()];
    const order = Uint32Array.from(ids.keys());
    order.sort((a, b) => compareStrings(ids[a]!, ids[b]!));
    return { ids, order, at: 0 };
  });
  const total = inputs.reduce((sum, input) => sum + input.count, 0);
  const plan = { input: new Uint32Array(total), index: new Uint32Array(total) };
  let written = 0;
  let lastId: string | undefined;
  for (;;) {
    let best = -1;
    for (let k = 0; k < sorted.length; k++) {
      const s = sorted[k]!;
      if (s.at < s.order.length && (best < 0 || compareStrings(s.ids[s.order[s.at]!]!, headId(sorted[best]!)) < 0)) best = k;
    }
    if (best < 0) break;
    const s = sorted[best]!;
    const index = s.order[s.at++]!;
    const id = s.ids[index]!;
    if (id === lastId) {
      const kept = inputs[plan.input[written - 1]!]!.reference(plan.index[written - 1]!);
      if (!sameContent(kept, inputs[best]!.reference(index)))
        throw new UsageError(
          `${JSON.stringify(quote(id))} differs between ${quote(inputs[plan.input[written - 1]!]!.file)} and ${quote(inputs[best]!.file)}; cannot merge`,
        );
      continue;
    }
    plan.input[written] = best;
    plan.index[written] = index;
    written++;
    lastId = id;
  }
  return { input: plan.input.subarray(0, written), index: plan.index.subarray(0, written) };
}

const headId = (s: { ids: string[]; order: Uint32Array; at: number }): string => s.ids[s.order[s.at]!]!;
