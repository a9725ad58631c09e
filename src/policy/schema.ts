import { z } from 'zod';
import { RequirementSchema } from './requirements/registry.js';

/**
 * Policy language v1: a contract's security and privacy protocols as YAML.
 *
 * Every object is strict: an unknown key is an error, so a typo never silently weakens an audit.
 * The TSDoc on each field is the policy reference (README "Policy reference" mirrors it).
 */

const ID = /^[A-Za-z0-9][A-Za-z0-9._:-]*$/;
const id = (what: string) => z.string().regex(ID, `${what} must start with a letter or digit and use only letters, digits, '.', '_', ':' and '-'`);

/** A calendar date `YYYY-MM-DD` that exists (2026-02-30 does not). */
export const DateSchema = z.string().refine(isRealDate, { message: 'expected a real calendar date as YYYY-MM-DD' });

function isRealDate(value: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!match) return false;
  const [y, m, d] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}

/** One clause of the contract. */
export const ClauseSchema = z.strictObject({
  /** Clause number as the contract writes it, e.g. `H.7.2`. */
  id: id('clause id'),
  /** The clause's heading or a one-line summary. */
  title: z.string().min(1),
  /** Mandatory clauses must be cited by at least one protocol (`custody policy check` flags them). Default true. */
  mandatory: z.boolean().default(true),
});

/** The contract the protocols come from. */
export const ContractSchema = z.strictObject({
  /** Contract or task-order number. */
  id: z.string().min(1),
  title: z.string().min(1),
  /** The agency that owns the data. */
  agency: z.string().min(1),
  /** The contractor being audited (optional, for reports). */
  contractor: z.string().min(1).optional(),
  clauses: z.array(ClauseSchema).min(1),
});

/** An asset class: a kind of agency data. */
export const AssetClassSchema = z.strictObject({
  /** Class id used by fingerprint sets and protocols, e.g. `traveler-image`, `vehicle-image`, `plate-record`. */
  id: id('asset class id'),
  title: z.string().min(1),
  description: z.string().optional(),
});

/** A provenance marker: a metadata field that identifies agency images that are not fingerprinted. */
export const MetadataMarkerSchema = z
  .strictObject({
    /**
     * Metadata field as exifr names it: EXIF/TIFF (`Make`, `Model`, `BodySerialNumber`, `Artist`,
     * `Copyright`, `ImageDescription`, `Software`), IPTC (`Byline`, `CopyrightNotice`, ...) or XMP
     * (`Creator`, `Rights`, ... ).
     */
    field: z.string().min(1),
    /** Exact value, compared after trimming. */
    equals: z.string().optional(),
    /** A JavaScript regular expression the value must match (unanchored unless you anchor it). */
    matches: z.string().refine(isRegExp, { message: 'not a valid regular expression' }).optional(),
    /** The value must be one of these (compared after trimming). */
    oneOf: z.array(z.string()).min(1).optional(),
    /** Asset class of images carrying this marker. */
    asset: id('asset class id'),
  })
  .refine((m) => [m.equals, m.matches, m.oneOf].filter((x) => x !== undefined).length === 1, {
    message: 'a marker needs exactly one of equals, matches or oneOf',
  });
export type MetadataMarker = z.infer<typeof MetadataMarkerSchema>;

function isRegExp(source: string): boolean {
  try {
    new RegExp(source, 'u');
    return true;
  } catch {
    return false;
  }
}

/** What counts as agency data. */
export const AssetsSchema = z.strictObject({
  /** Fingerprint files (from `custody fingerprint`), paths relative to the policy file. */
  fingerprints: z.array(z.string().min(1)).default([]),
  /** Asset classes the contract knows. Fingerprint references with other classes are still agency data. */
  classes: z.array(AssetClassSchema).default([]),
  /** Provenance markers for agency images without fingerprints. */
  markers: z.array(MetadataMarkerSchema).default([]),
});

/** Where agency data may be. */
export const LocationsSchema = z.strictObject({
  /**
   * Globs over locations relative to the scan root (`secure-enclave/**`), or cloud URIs with a glob
   * path (`s3://agency-enclave/lpr/**`, `gs://bucket/**`). Archive members are located by the
   * archive that holds them.
   */
  authorized: z.array(z.string().min(1)).default([]),
});

// The requirement kinds (their fields and checks) are one file each in requirements/.
export { type Requirement, type RequirementKind, RequirementSchema } from './requirements/registry.js';

export const SeveritySchema = z.enum(['critical', 'high', 'medium', 'low']);

/** One protocol: a checkable rule citing a clause. */
export const ProtocolSchema = z.strictObject({
  /** Stable id (it is the SARIF rule id and the baseline key). */
  id: id('protocol id'),
  /** The clause id this protocol enforces. */
  clause: id('clause id'),
  title: z.string().min(1),
  /** critical and high fail builds by default (SARIF error); medium is a warning; low a note. */
  severity: SeveritySchema,
  /** Asset classes it applies to; default all. */
  assets: z.array(id('asset class id')).min(1).optional(),
  /** Help text for reports: what to do about a violation. */
  remediation: z.string().optional(),
  require: RequirementSchema,
});
export type Protocol = z.infer<typeof ProtocolSchema>;

/** A waiver: an approved, time-limited exception. An expired waiver stops applying and is reported. */
export const WaiverSchema = z.strictObject({
  id: id('waiver id'),
  /** The protocol id it waives. */
  protocol: id('protocol id'),
  /** Glob over locations it covers (as in `locations.authorized`). */
  location: z.string().min(1),
  reason: z.string().min(1),
  /** The role that approved it, e.g. "Contracting Officer". */
  approver: z.string().min(1),
  /** Last day it applies (inclusive, UTC), YYYY-MM-DD. */
  expires: DateSchema,
});
export type Waiver = z.infer<typeof WaiverSchema>;

export const PolicySchema = z.strictObject({
  /** Policy language version; must be 1. */
  version: z.literal(1),
  contract: ContractSchema,
  assets: AssetsSchema.default({ fingerprints: [], classes: [], markers: [] }),
  locations: LocationsSchema.default({ authorized: [] }),
  protocols: z.array(ProtocolSchema).min(1),
  waivers: z.array(WaiverSchema).default([]),
});
export type PolicyDocument = z.infer<typeof PolicySchema>;
