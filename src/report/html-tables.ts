import { evidenceWords, methodWords } from './evidence.js';
import { h, loc, locSpan, num, table } from './html-markup.js';
import type { Enclave, Spread } from './html-spread.js';
import type { Asset, Finding, Severity } from './model.js';
import { SEVERITY_ORDER } from './model.js';

/** The protocols one copy breaks, in words: ids, waived ones marked, or that it breaks none. */
function copyViolations(findings: readonly Finding[]): string {
  if (findings.length === 0) return '<span class="ev">no violation</span>';
  // A protocol counts as waived here only when every finding of it at this location is.
  const waivedOnly = new Map<string, boolean>();
  for (const f of findings) waivedOnly.set(f.ruleId, (waivedOnly.get(f.ruleId) ?? true) && f.waiver !== undefined);
  const ids = [...waivedOnly.entries()];
  return `${ids.map(([id, waived]) => (waived ? `${h(id)} <span class="tag waived">waived</span>` : `<span class="rule">${h(id)}</span>`)).join(', ')}`;
}

function whereTag(outside: boolean, enclave: Enclave): string {
  if (outside) return ' <span class="tag outside">outside</span>';
  return enclave.known ? ' <span class="tag inside">enclave</span>' : '';
}

/**
 * The spread of copies, one row per agency item: its reference, class, how many copies and how
 * many outside the enclave, then every location it was found at with the protocols each copy breaks.
 */
export function spreadTable(spread: readonly Spread[], enclave: Enclave): string {
  if (spread.length === 0) return '<p>No agency item was found.</p>';
  return table(
    ' id="spread-table" data-sortable data-filter="items"',
    ['Agency item and class', 'Copies', 'Outside the enclave', 'Where each copy was found, and the protocols it violates'],
    spread.map(
      (s) =>
        `<tr><td><span class="loc">${loc(s.key)}</span><br><span class="item">${h(s.asset)}</span></td>${num(s.copies.length)}${enclave.known ? num(s.outside) : '<td class="num">?</td>'}<td><ul class="copies">${s.copies
          .map(
            (c) =>
              `<li><span class="where">${locSpan(c.asset.location)}</span><span class="what"><span class="tag">${h(c.asset.method)}</span>${whereTag(c.outside, enclave)} ${copyViolations(c.findings)}</span></li>`,
          )
          .join('')}</ul></td></tr>`,
    ),
    ['c-item', 'c-n', 'c-n', 'c-where'],
  );
}

/** One location's findings, and the agency item there when the report lists one. */
export interface LocationFindings {
  location: string;
  asset?: Asset;
  findings: Finding[];
}

/** Findings grouped by location, locations in the order the (sorted) findings first name them. */
export function findingsByLocation(findings: readonly Finding[], assets: readonly Asset[]): LocationFindings[] {
  const assetAt = new Map(assets.map((a) => [a.location, a]));
  const groups = new Map<string, LocationFindings>();
  for (const f of findings) {
    let g = groups.get(f.location);
    if (!g) {
      const asset = assetAt.get(f.location);
      g = { location: f.location, ...(asset ? { asset } : {}), findings: [] };
      groups.set(f.location, g);
    }
    g.findings.push(f);
  }
  return [...groups.values()];
}

/** What sits at a location: class, reference and how it was identified, or the audit as a whole. */
function itemText(g: LocationFindings): string {
  const first = g.findings[0];
  // Only audit-wide findings (breach volume) concern no item.
  if (!g.asset && g.findings.every((f) => f.asset === undefined)) return 'the audit as a whole';
  const cls = g.asset?.asset ?? first?.asset;
  const ref = g.asset?.reference ?? first?.reference;
  const parts = [cls ? h(cls) : '', ref ? `copy of ${loc(ref)}` : '', g.asset ? h(methodWords(g.asset.method)) : ''].filter(Boolean);
  return parts.join('<br>');
}

function violationItem(f: Finding): string {
  const tags = [f.waiver ? `<span class="tag waived">waived ${h(f.waiver.id)}</span>` : '', f.baseline ? `<span class="tag">${h(f.baseline)}</span>` : ''].join(
    '',
  );
  const words = evidenceWords(f, { method: false });
  return `<li><span class="sev-${f.severity}">${f.severity}</span> <strong>${h(f.ruleId)}</strong> (clause ${h(f.clause)}): ${h(f.message)}${tags}${words.length > 0 ? ` <span class="ev">&mdash; ${words.map(h).join('; ')}</span>` : ''}</li>`;
}

/**
 * The findings, one row per location with all its violations (never one row per location and
 * protocol): the worst severity, the location, what is there, and each violation in words.
 */
export function findingsTable(groups: readonly LocationFindings[]): string {
  return table(
    ' id="findings-table" data-sortable data-filter="findings" data-severity',
    ['Severity', 'Location', 'Item', 'Violations'],
    groups.map((g) => {
      const severities = SEVERITY_ORDER.filter((s) => g.findings.some((f) => f.severity === s));
      const worst: Severity = severities[0] ?? 'low';
      return `<tr data-severity="${severities.join(' ')}"><td class="sev-${worst}" data-sort="${SEVERITY_ORDER.indexOf(worst)}">${worst}</td><td class="loc">${loc(g.location)}</td><td class="item">${itemText(g)}</td><td><ul class="violations">${g.findings.map(violationItem).join('')}</ul></td></tr>`;
    }),
    ['c-sev', 'c-loc', 'c-item', 'c-violations'],
  );
}
