import { locationMatcher } from '../policy/locations.js';
import type { Waiver } from '../policy/schema.js';
import type { Finding, Report } from '../report/model.js';
import { recount } from './recount.js';

/** A waiver is active through the end of its `expires` day (UTC). */
export const isActive = (waiver: Waiver, now: Date): boolean => now.getTime() < Date.parse(`${waiver.expires}T00:00:00Z`) + 86_400_000;

/**
 * Marks findings covered by an active waiver (protocol and location glob). Expired waivers stop
 * applying and are returned, with how many findings they would still have covered.
 */
export function applyWaivers(findings: readonly Finding[], waivers: readonly Waiver[], now: Date): { findings: Finding[]; expired: Report['expiredWaivers'] } {
  const compiled = waivers.map((waiver) => ({ waiver, active: isActive(waiver, now), matches: locationMatcher([waiver.location]), hits: 0 }));
  const out = findings.map((finding) => {
    let waived: Finding = finding;
    for (const entry of compiled) {
      if (entry.waiver.protocol !== finding.ruleId || !entry.matches(finding.location)) continue;
      entry.hits++;
      if (entry.active && !waived.waiver) {
        const { id, reason, approver, expires } = entry.waiver;
        waived = { ...finding, waiver: { id, reason, approver, expires } };
      }
    }
    return waived;
  });
  const expired = compiled
    .filter((e) => !e.active)
    .map(({ waiver, hits }) => ({
      id: waiver.id,
      protocol: waiver.protocol,
      location: waiver.location,
      expires: waiver.expires,
      approver: waiver.approver,
      wouldCover: hits,
    }));
  return { findings: out, expired };
}

/**
 * The report with the policy's waivers applied: findings marked, expired waivers listed, and the
 * counts and clause verdicts that depend on them brought up to date (recount.ts). Pure.
 */
export function waiveReport(report: Report, waivers: readonly Waiver[], now: Date): Report {
  const { findings, expired } = applyWaivers(report.findings, waivers, now);
  return recount({ ...report, findings, expiredWaivers: expired });
}
