import type { Asset, Report } from './model.js';

/** A SARIF text region: the line a finding starts at. */
export interface TextRegion {
  startLine: number;
}

const LINE = /^line (\d+)\b/;

/**
 * The plate detector reads text only (CSV, JSON, JSON Lines, logs): an asset it identified, as
 * its main method or one it also matched, is a text file, where a line is meaningful.
 */
function isText(asset: Asset): boolean {
  if (asset.method === 'record') return true;
  const also = asset.evidence.alsoMatched;
  return Array.isArray(also) && also.some((m) => (m as { method?: unknown }).method === 'record');
}

/** The first `line N` the plate detector noted (`where` for text and CSV, `examples` for JSON). */
function firstLine(asset: Asset): number | undefined {
  for (const key of ['where', 'examples']) {
    const list = asset.evidence[key];
    if (!Array.isArray(list)) continue;
    for (const entry of list) {
      const line = typeof entry === 'string' ? LINE.exec(entry) : null;
      if (line) return Number(line[1]);
    }
  }
  return undefined;
}

/**
 * Regions for findings on text files, by location: the first line holding an agency plate, else
 * line 1 (the finding is about the whole file, as for an exact copy of a reads export). Images and
 * other binary files get none: a line means nothing there, and a byte range is no way out (the
 * GitHub rules of Microsoft's SARIF validator, GH1003, want a `startLine` in every region), so
 * their results name the file alone.
 */
export function textRegions(report: Report): ReadonlyMap<string, TextRegion> {
  const regions = new Map<string, TextRegion>();
  for (const asset of report.assets) {
    if (isText(asset)) regions.set(asset.location, { startLine: firstLine(asset) ?? 1 });
  }
  return regions;
}
