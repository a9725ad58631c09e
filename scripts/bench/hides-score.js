// @ts-check
/**
 * Scores the hiding-places bench's audits against its plan: per kind, agency pictures found of those
 * planted (an asset counts when it names the planted reference), distinct agency plates found of
 * those planted, false claims (any asset in a negative, or a picture asset naming a reference that was
 * not planted there), and which files were inspected and which are in coverage, with the reasons.
 * A positive file that fell short and has no coverage entry is "silent": the audit said nothing.
 * A sealed file (expect `coverage`: encrypted) is not counted as planted; its target is a coverage
 * entry marking the audit incomplete.
 */

/** @typedef {import('./hides-plant.js').Planted} Planted */
/** @typedef {{ location: string, method: string, reference?: string, evidence: Record<string, unknown> }} Asset */
/** @typedef {{ location: string, reason: string, detail?: string, incomplete?: boolean }} Coverage */

export const TARGETS = { images: 0.95, plates: 0.99 };

/**
 * The planted file (or git path) a report location belongs to: `share/` is dropped, a member's
 * `!/...` tail cut; a git location `repos/<r>/.git!<commit>:<path>` maps to `repos/<r>:<path>`,
 * a repository-wide one (`repos/<r>/.git` or a blob id) to `repos/<r>` (every path in it).
 * @param {string} location
 */
export function keyOf(location) {
  const git = /^(?:.*\/)?repos\/([^/]+)\/\.git(?:!([^:!]+)(?::([^!]*))?)?/.exec(location);
  if (git) return git[3] === undefined ? `repos/${git[1]}` : `repos/${git[1]}:${git[3]}`;
  return location.replace(/^share\//, '').split('!')[0] ?? location;
}

/**
 * @param {Planted[]} planted
 * @param {{ assets: Asset[], coverage: Coverage[] }[]} reports
 */
export function score(planted, reports) {
  const assets = reports.flatMap((r) => r.assets);
  const coverage = reports.flatMap((r) => r.coverage);
  /** @type {Map<string, Asset[]>} */
  const assetsOf = new Map();
  for (const a of assets) assetsOf.set(keyOf(a.location), [...(assetsOf.get(keyOf(a.location)) ?? []), a]);
  /** @param {Planted} p */
  const coverageOf = (p) => coverage.filter((c) => {
    const key = keyOf(c.location);
    return key === p.rel || (p.rel.startsWith('repos/') && key === p.rel.split(':')[0]);
  });
  const known = new Set(planted.map((p) => p.rel));
  const unplanted = {
    assets: assets.filter((a) => !known.has(keyOf(a.location))).map((a) => ({ location: a.location, method: a.method, reference: a.reference })),
    coverage: coverage.filter((c) => !planted.some((p) => coverageOf(p).includes(c))),
  };

  /** @type {Map<string, any>} */
  const kinds = new Map();
  const files = planted.map((p) => {
    const mine = assetsOf.get(p.rel) ?? [];
    const pictures = mine.filter((a) => a.method !== 'record');
    const foundRefs = [...new Set(pictures.map((a) => a.reference ?? '?').filter((r) => p.images.includes(r)))];
    const wrongRefs = [...new Set(pictures.map((a) => a.reference ?? '?').filter((r) => !p.images.includes(r)))];
    const plateSum = mine.filter((a) => a.method === 'record').reduce((n, a) => n + Number(a.evidence.records ?? 0), 0);
    const falseClaims = p.negative ? mine.length : wrongRefs.length;
    const cov = coverageOf(p);
    const file = {
      ...p,
      imagesFound: foundRefs.length,
      missing: p.images.filter((r) => !foundRefs.includes(r)),
      // Distinct plates per asset: a plate seen in two members of one file counts twice, so the sum is capped.
      platesFound: Math.min(plateSum, p.plates),
      platesCounted: plateSum,
      falseClaims,
      claims: p.negative || wrongRefs.length ? mine.map((a) => ({ location: a.location, method: a.method, reference: a.reference })) : [],
      coverage: cov.map((c) => ({ location: c.location, reason: c.reason, incomplete: c.incomplete ?? false, detail: c.detail })),
    };
    const sealed = p.expect === 'coverage';
    const short = !p.negative && (sealed ? !cov.some((c) => c.incomplete) : file.imagesFound < p.images.length || file.platesFound < p.plates);
    const row = kinds.get(p.kind) ?? { kind: p.kind, group: p.group, expect: p.expect, files: 0, negatives: 0, images: [0, 0], plates: [0, 0], falseClaims: 0, inspected: 0, covered: 0, reasons: {}, silent: 0, sealedNotIncomplete: 0 };
    row.files += 1;
    if (p.negative) row.negatives += 1;
    if (!sealed) {
      row.images[0] += file.imagesFound;
      row.images[1] += p.images.length;
      row.plates[0] += file.platesFound;
      row.plates[1] += p.plates;
    }
    row.falseClaims += falseClaims;
    if (cov.length > 0) row.covered += 1;
    else row.inspected += 1;
    for (const c of cov) row.reasons[c.reason] = (row.reasons[c.reason] ?? 0) + 1;
    if (short && cov.length === 0) row.silent += 1;
    if (short && sealed) row.sealedNotIncomplete += 1;
    kinds.set(p.kind, row);
    return { ...file, short, silent: short && cov.length === 0 };
  });
  const rows = [...kinds.values()].map((row) => ({
    ...row,
    met:
      (row.images[1] === 0 || row.images[0] / row.images[1] >= TARGETS.images) &&
      (row.plates[1] === 0 || row.plates[0] / row.plates[1] >= TARGETS.plates) &&
      row.falseClaims === 0 &&
      row.silent === 0 &&
      row.sealedNotIncomplete === 0,
  }));
  return { rows, files, shortfalls: files.filter((f) => f.short || f.falseClaims > 0), unplanted };
}

/** @param {[number, number]} pair */
const ratio = ([found, planted]) => (planted === 0 ? '-' : `${found}/${planted}${found < planted ? ` (${(found / planted).toFixed(2)})` : ''}`);

/**
 * @param {ReturnType<typeof score>} result
 * @param {Record<string, unknown>} meta run facts printed above the table
 */
export function toMarkdown(result, meta) {
  const lines = ['# Where data hides: found/planted per kind (issue #18)', ''];
  for (const [k, v] of Object.entries(meta)) lines.push(`- ${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`);
  lines.push('', `Targets per kind: images >= ${TARGETS.images}, plates >= ${TARGETS.plates}, 0 false claims, no file that fell short without a coverage entry; a sealed (encrypted) file must be in coverage as incomplete.`, '');
  lines.push('| group | kind | files (neg.) | images found/planted | plates found/planted | false claims | inspected | in coverage (reasons) | silent misses | target |');
  lines.push('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const r of result.rows) {
    const reasons = Object.entries(r.reasons).map(([k, n]) => `${k} x${n}`).join(', ');
    const sealed = r.expect === 'coverage' ? 'sealed: coverage expected' : undefined;
    lines.push(`| ${r.group} | ${r.kind} | ${r.files} (${r.negatives}) | ${sealed ?? ratio(r.images)} | ${sealed ?? ratio(r.plates)} | ${r.falseClaims} | ${r.inspected} | ${r.covered}${reasons ? ` (${reasons})` : ''} | ${r.silent} | ${r.met ? 'met' : '**missed**'} |`);
  }
  lines.push('', '## Shortfalls and false claims', '');
  if (result.shortfalls.length === 0) lines.push('None.');
  for (const f of result.shortfalls) {
    const what = [
      f.expect === 'coverage' ? 'sealed, yet no coverage entry marks it incomplete' : '',
      f.expect !== 'coverage' && f.missing.length ? `missed pictures ${f.missing.join(', ')}` : '',
      f.expect !== 'coverage' && f.platesFound < f.plates ? `plates ${f.platesFound}/${f.plates}` : '',
      f.falseClaims ? `false claims: ${f.claims.map((c) => `${c.location} (${c.method}${c.reference ? ` ${c.reference}` : ''})`).join('; ')}` : '',
      f.coverage.length ? `coverage: ${f.coverage.map((c) => `${c.reason}${c.detail ? ` "${c.detail}"` : ''}`).join('; ')}` : 'no coverage entry (silent)',
    ].filter(Boolean);
    lines.push(`- \`${f.rel}\` (${f.kind}): ${what.join('; ')}`);
  }
  if (result.unplanted.assets.length || result.unplanted.coverage.length) {
    lines.push('', '## Outside the plan', '');
    for (const a of result.unplanted.assets) lines.push(`- asset \`${a.location}\` (${a.method} ${a.reference ?? ''})`);
    for (const c of result.unplanted.coverage) lines.push(`- coverage \`${c.location}\`: ${c.reason}${c.detail ? ` "${c.detail}"` : ''}`);
  }
  return `${lines.join('\n')}\n`;
}
