import type { Item, SourceEvent } from '../item.js';
import { classifyEtag } from './digests.js';
import { coverage, itemEvent, parseDate, parseSize, rowCoverage } from './events.js';
import { publicGrantsFromAcl } from './s3-acl.js';
import { UNKNOWN_SIZE } from './types.js';

/** Rows an inventory lists that are not objects with bytes, counted for one closing notice. */
export interface SkipCounts {
  deleteMarkers: number;
  folderMarkers: number;
}

/** Maps one CSV inventory row to events; built once per manifest from its `fileSchema`. */
export type RowMapper = (fields: string[], file: string, line: number, out: SourceEvent[]) => void;

/**
 * A row mapper for an S3 Inventory CSV whose columns are `columns` (from `fileSchema`).
 * Column positions are resolved once here so the per-row work is index lookups only.
 * Noncurrent versions (IsLatest false) are located as `s3://bucket/key?versionId=...` so they stay
 * distinct from the current object; delete markers and zero-byte `prefix/` folder markers are
 * counted in `skips` instead of becoming items.
 */
export function s3RowMapper(columns: string[], asOf: Date | undefined, skips: SkipCounts): RowMapper {
  const at = (name: string): number | undefined => {
    const i = columns.findIndex((c) => c.toLowerCase() === name.toLowerCase());
    return i === -1 ? undefined : i;
  };
  const iBucket = at('Bucket');
  const iKey = at('Key');
  const iVersion = at('VersionId');
  const iLatest = at('IsLatest');
  const iDeleteMarker = at('IsDeleteMarker');
  const iSize = at('Size');
  const iModified = at('LastModifiedDate');
  const iEtag = at('ETag');
  const iMultipart = at('IsMultipartUploaded');
  const iEncryption = at('EncryptionStatus');
  const iAcl = at('ObjectAccessControlList');
  const width = columns.length;

  return (fields, file, line, out) => {
    if (fields.length !== width) {
      out.push(rowCoverage(file, line, `expected ${width} columns, found ${fields.length}`));
      return;
    }
    const bucket = iBucket === undefined ? '' : fields[iBucket]!;
    const key = decodeKey(iKey === undefined ? '' : fields[iKey]!);
    if (bucket === '' || key === undefined || key === '') {
      out.push(rowCoverage(file, line, key === undefined ? 'Key is not valid URL encoding' : 'empty Bucket or Key'));
      return;
    }
    if (iDeleteMarker !== undefined && fields[iDeleteMarker] === 'true') {
      skips.deleteMarkers += 1;
      return;
    }
    let size = UNKNOWN_SIZE;
    if (iSize !== undefined) {
      const parsed = parseSize(fields[iSize]);
      if (parsed === undefined) {
        out.push(rowCoverage(file, line, 'Size is not a byte count'));
        return;
      }
      size = parsed;
    }
    if (size === 0 && key.endsWith('/')) {
      skips.folderMarkers += 1;
      return;
    }
    const version = iVersion === undefined ? '' : fields[iVersion]!;
    const noncurrent = iLatest !== undefined && fields[iLatest] === 'false' && version !== '';
    const location = `s3://${bucket}/${key}${noncurrent ? `?versionId=${version}` : ''}`;
    const item: Omit<Item, 'origin' | 'content'> = { location, size };
    const mtime = iModified === undefined ? undefined : parseDate(fields[iModified]);
    if (mtime) item.mtime = mtime;
    const encryption = iEncryption === undefined ? '' : fields[iEncryption]!;
    if (encryption !== '') item.encryption = encryption;
    const multipartField = iMultipart === undefined ? '' : fields[iMultipart];
    const multipart = multipartField === 'true' ? true : multipartField === 'false' ? false : undefined;
    const verdict = classifyEtag(iEtag === undefined ? '' : fields[iEtag]!, multipart, item.encryption);
    if ('md5' in verdict) item.digests = { md5: verdict.md5 };
    else item.opaqueDigest = verdict.opaque;
    if (asOf) item.asOf = asOf;
    const acl = iAcl === undefined ? '' : fields[iAcl]!;
    if (acl !== '') {
      const grants = publicGrantsFromAcl(acl);
      if ('error' in grants) {
        out.push(coverage({ location, reason: 'manifest-acl', detail: `${file}:${line}: ${grants.error}`, incomplete: true }));
      } else if (grants.grants !== undefined) {
        item.publicGrants = grants.grants;
      }
    }
    out.push(itemEvent(item));
  };
}

/**
 * CSV inventory keys are URL-encoded with '+' for space (cloud-custodian #1997). Keys of one byte
 * characters (`lane+3/2024%2F04`) are decoded here by hand: replace + decodeURIComponent spent
 * 10% of the inventory reader's CPU (profiled on 2 million rows). An escape of a byte past 0x7f
 * (UTF-8) or a malformed one goes to decodeURIComponent, which checks the sequence.
 */
export function decodeKey(raw: string): string | undefined {
  if (raw.indexOf('%') === -1) return raw.indexOf('+') === -1 ? raw : raw.replaceAll('+', ' ');
  let out = '';
  let from = 0;
  for (let i = 0; i < raw.length; i++) {
    const c = raw.charCodeAt(i);
    if (c === PLUS) {
      out += `${raw.slice(from, i)} `;
      from = i + 1;
    } else if (c === PERCENT) {
      const byte = (hexDigit(raw.charCodeAt(i + 1)) << 4) | hexDigit(raw.charCodeAt(i + 2));
      if (byte < 0 || byte > 0x7f) return decodeSlow(raw);
      out += raw.slice(from, i) + String.fromCharCode(byte);
      i += 2;
      from = i + 1;
    }
  }
  return out + raw.slice(from);
}

const PLUS = 43;
const PERCENT = 37;

/** A hex digit's value, or a negative number that keeps any byte it is part of negative. */
function hexDigit(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -256;
}

function decodeSlow(raw: string): string | undefined {
  try {
    return decodeURIComponent(raw.replace(/\+/g, ' '));
  } catch {
    return undefined;
  }
}
