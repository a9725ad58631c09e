import type { Report } from '../report/model.js';
import { UsageError } from '../util/errors.js';

/** A report of `audit --references k/n`. */
export type SplitReport = Report & { references: NonNullable<Report['references']> };

const describePlates = (report: Report): string => {
  const { status, reason } = report.summary.plates;
  return reason ? `${status}, ${reason}` : status;
};

/**
 * The split reports, in share order, once they are found to be the shares 1..n of one audit: the
 * same policy, inputs, audit time, custody version, fingerprint sets, plate check and flags, and the
 * same tree seen (a tree that changed between splits cannot make one report). One line per refusal.
 */
export function checkSplits(reports: readonly Report[]): SplitReport[] {
  if (reports.length === 0) throw new UsageError('merge needs the split reports');
  const splits = reports.map((r, i) => {
    if (!r.references) throw new UsageError(`report ${i + 1} is not a reference-split report (audit with --references k/n --format json)`);
    if (!wellFormed(r.references)) throw new UsageError(`report ${i + 1} has a damaged reference-split field: not a report custody wrote`);
    return r as SplitReport;
  });
  const first = splits[0]!;
  const { count } = first.references;
  const sets = (r: Report) => JSON.stringify(r.fingerprints.map((f) => [f.digest, f.plateKeyId ?? null]));
  for (const s of splits) {
    const which = `split ${first.references.index} and split ${s.references.index}`;
    if (s.references.count !== count) throw new UsageError(`reference splits disagree on the split count (${count} and ${s.references.count})`);
    if (s.policy.digest !== first.policy.digest) throw new UsageError(`reference splits were audited with different policies (${which})`);
    if (sets(s) !== sets(first)) throw new UsageError(`reference splits were audited with different fingerprint sets (${which})`);
    if (JSON.stringify(s.inputs) !== JSON.stringify(first.inputs)) throw new UsageError(`reference splits audited different inputs (${which})`);
    if (s.references.now !== first.references.now)
      throw new UsageError(
        `reference splits were audited at different times (${first.references.now} and ${s.references.now}): give every split the same --now`,
      );
    if (s.tool.version !== first.tool.version)
      throw new UsageError(`reference splits were audited by different custody versions (${first.tool.version} and ${s.tool.version})`);
    if (JSON.stringify(s.summary.plates) !== JSON.stringify(first.summary.plates)) {
      throw new UsageError(
        `reference splits disagree on the plate check (split ${first.references.index}: ${describePlates(first)}; split ${s.references.index}: ${describePlates(s)}): audit every split with the same key and flags`,
      );
    }
    if ((s.references.allowEmpty === true) !== (first.references.allowEmpty === true))
      throw new UsageError('reference splits disagree on --allow-empty: audit every split with the same flags');
    if (s.summary.filesSeen !== first.summary.filesSeen || s.summary.bytesSeen !== first.summary.bytesSeen) {
      throw new UsageError(
        `reference splits saw different inputs (${which}: ${first.summary.filesSeen} and ${s.summary.filesSeen} files): the tree changed between them; audit every split on the same, unchanging inputs`,
      );
    }
  }
  const indices = splits.map((s) => s.references.index).sort((a, b) => a - b);
  const missing = Array.from({ length: count }, (_, i) => i + 1).filter((k) => !indices.includes(k));
  if (missing.length > 0) throw new UsageError(`missing reference split(s) ${missing.join(', ')} of ${count}`);
  if (indices.length !== count) throw new UsageError(`a reference split was given twice (${indices.find((k, i) => indices[i + 1] === k)} of ${count})`);
  return splits.sort((a, b) => a.references.index - b.references.index);
}

/** The split field's shape, checked before anything is read from it (a report file is an input like any other). */
function wellFormed(split: SplitReport['references']): boolean {
  const { index, count, now, policy, identified } = split as Partial<SplitReport['references']>;
  const whole = (n: unknown): n is number => Number.isSafeInteger(n) && (n as number) >= 1;
  return (
    whole(index) &&
    whole(count) &&
    index <= count &&
    typeof now === 'string' &&
    typeof policy === 'object' &&
    policy !== null &&
    Array.isArray(identified) &&
    identified.every(
      (e) =>
        typeof e?.location === 'string' &&
        Array.isArray(e.identifications) &&
        e.identifications.every((i) => typeof i?.method === 'string' && typeof i.evidence === 'object' && i.evidence !== null),
    )
  );
}
