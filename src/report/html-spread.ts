import type { Asset, Report } from './model.js';

/** Every place one agency item was found: the spread of the data. */
export interface Spread {
  /** Fingerprint reference id, or a label for items identified without one. */
  key: string;
  referenced: boolean;
  asset: string;
  copies: Asset[];
  /** Copies with at least one unwaived finding at their location. */
  violating: number;
}

/**
 * Groups assets by reference (items without one, such as plate-record files, by class and
 * method), largest spread first, ties by key, copies in report order.
 */
export function spreadOf(report: Report): Spread[] {
  const violating = new Set(report.findings.filter((f) => !f.waiver).map((f) => f.location));
  const groups = new Map<string, Spread>();
  for (const a of report.assets) {
    const key = a.reference ?? `no reference: ${a.asset} (${a.method})`;
    let g = groups.get(key);
    if (!g) {
      g = { key, referenced: a.reference !== undefined, asset: a.asset, copies: [], violating: 0 };
      groups.set(key, g);
    }
    g.copies.push(a);
    if (violating.has(a.location)) g.violating++;
  }
  return [...groups.values()].sort((a, b) => b.copies.length - a.copies.length || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}
