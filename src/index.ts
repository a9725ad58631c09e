/**
 * custody as a library: everything the CLI does, importable, returning results. Nothing here prints
 * or exits; known failures are thrown as CustodyError subclasses carrying the CLI's exit code.
 *
 *   const report = await auditWith({ roots: ['share'], policy: 'policy.yaml' });
 *   process.exitCode = exitCodeFor(report, 'high');
 *
 * Audits from plain options (`auditWith`, what the CLI uses) or from loaded parts (`runAudit`);
 * policies, fingerprints and baselines; `finalize`; the report model, verdict and formats; signing;
 * the errors with their exit codes. Exports are kept in the order of their modules.
 */

export { type AuditRequest, runAudit } from './audit/audit.js';
export { type ArchiveLimits, type AuditOptions, auditWith } from './audit/audit-options.js';
export { type ClassRule, createFingerprints, type FingerprintOptions, type FingerprintResult } from './fingerprint/create.js';
export { perceptualHasher } from './fingerprint/perceptual.js';
export { plateCollector } from './fingerprint/plates.js';
export { loadPlateKey, PLATE_KEY_ENV, type PlateKeyOptions } from './identify/plates/key.js';
export { type MergeOptions, mergeReports, mergeShards } from './merge/merge.js';
export { mergeReferenceSplits } from './merge/reference-split.js';
export { loadPolicyArgument, type PolicySource } from './policy/argument.js';
export { builtinPolicy } from './policy/builtin.js';
export { type LoadedPolicy, loadPolicy } from './policy/load.js';
export type { PolicyDocument, Waiver } from './policy/schema.js';
export { BaselineError, loadBaseline } from './postprocess/baseline.js';
export { type FinalizeOptions, finalize } from './postprocess/finalize.js';
export type { FingerprintIndex } from './references/index-set.js';
export { loadFingerprints } from './references/load.js';
export type { FingerprintFile } from './references/schema.js';
export type { Asset, ClauseResult, Finding, PlateCheck, ProtocolInfo, Report, Severity, Summary } from './report/model.js';
export { REPORT_FORMAT, REPORT_VERSION, SEVERITY_ORDER } from './report/model.js';
export { isReportFormat, type ReportFormat, reporters } from './report/registry.js';
export { FILE_CONTEXT, renderReport } from './report/render.js';
export type { Reporter, ReporterContext } from './report/reporter.js';
export { type AuditVerdict, exitCodeFor, type VerdictInfo, verdictOf } from './report/verdict.js';
export { generateKeyPair, signReport, type VerifyResult, verifyReport } from './sign/sign.js';
export type { CoverageEntry, Notice } from './sources/item.js';
export { CustodyError, InputError, PolicyError, type Problem, UsageError } from './util/errors.js';
export { ExitCode } from './util/exit-codes.js';
export { VERSION } from './version.js';
