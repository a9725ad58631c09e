import type { CalibrationResult } from './summarise.js';

const fixed = (v: number | null, digits = 3): string => (v === null ? '-' : v.toFixed(digits));

function table(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  // First column left-aligned (labels), the rest right-aligned (numbers).
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)];
}

/**
 * Plain-text report of a calibration: the headline at the chosen threshold, the distance-band table
 * (where nearest hits fall, and recall/precision if the threshold were each band's top) and the
 * per-class figures. No colour, no query paths (they may be named after plates).
 */
export function formatCalibrationText(result: CalibrationResult): string {
  const t = result.totals;
  const out = [
    `Perceptual calibration: ${t.queries} queries (${t.positives} copies, ${t.negatives} negatives); ${t.lowQuality} low-quality, ${t.failed} unreadable or undecodable`,
    `At threshold ${result.threshold}: recall ${fixed(result.recall)}, precision ${fixed(result.precision)}, false-match rate on negatives ${fixed(result.falseMatchRate, 4)}`,
    '',
    'Nearest hit by distance band (a threshold at the band top would give recall/precision):',
    ...table(
      ['distance', 'correct', 'wrong ref', 'negatives', 'recall', 'precision', 'false claims'],
      [
        ...result.bands.map((b) => [
          `${b.from}-${b.to}`,
          String(b.correct),
          String(b.wrong),
          String(b.negatives),
          fixed(b.atTop.recall),
          fixed(b.atTop.precision),
          String(b.atTop.falseClaims),
        ]),
        [`>${result.bands.at(-1)?.to ?? 0} or none`, String(result.beyond.positives), '', String(result.beyond.negatives), '', '', ''],
      ],
    ),
    '',
    `Claims at threshold ${result.threshold} by stage (direct: whole image; aligned: crop-aligned; subimage: a framed region inside the query):`,
    ...table(
      ['stage', 'correct', 'distances', 'false', 'distances'],
      result.stages.map((s) => [s.stage, String(s.correct), s.correctDistances?.join('-') ?? '-', String(s.false), s.falseDistances?.join('-') ?? '-']),
    ),
    '',
    `By class at threshold ${result.threshold}:`,
    ...table(
      ['class', 'copies', 'found', 'wrong ref', 'recall', 'negatives', 'false matches', 'low quality', 'failed'],
      result.classes.map((c) => [
        c.class,
        String(c.positives),
        String(c.found),
        String(c.wrongReference),
        fixed(c.recall),
        String(c.negatives),
        String(c.falseMatches),
        String(c.lowQuality),
        String(c.failed),
      ]),
    ),
  ];
  return `${out.join('\n')}\n`;
}

/** The calibration as JSON (stable key order, as built by `summarise`), newline-terminated. */
export function formatCalibrationJson(result: CalibrationResult): string {
  return `${JSON.stringify(result, null, 2)}\n`;
}
