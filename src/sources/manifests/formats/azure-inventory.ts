import type { Item, SourceEvent } from '../../item.js';
import { accountFromEndpoint, azureEncryption, azureLocation, UNKNOWN_ACCOUNT } from '../azure-location.js';
import { dataFileCoverage, resolveDataFile } from '../data-file.js';
import { base64ToHex } from '../digests.js';
import { coverage, itemEvent, notice, parseDate, parseSize, rowCoverage } from '../events.js';
import { guarded } from '../guard.js';
import { columnIndex, type HeaderRowMapper, headerCsv } from '../header-csv.js';
import { field, headText, inventoryManifest, str } from '../json-file.js';
import type { ManifestFormat, ManifestOptions } from '../types.js';

/**
 * Azure Blob Storage inventory: its `<rule>-manifest.json` (data files found locally as for S3, the
 * account taken from `endpoint`, `inventoryStartTime` as as-of), or one inventory CSV on its own.
 * The CSV has a header row; `Name` is `container/blob`.
 */
export const azureInventory: ManifestFormat = {
  id: 'azure-inventory',
  title: 'Azure Blob inventory (manifest JSON or CSV)',
  detect(head) {
    const text = headText(head);
    if (text.includes('"destinationContainer"') && /"(ruleDefinition|inventoryStartTime)"/.test(text)) return true;
    const first = text.split('\n', 1)[0] ?? '';
    return isAzureHeader(first.split(',').map(unquote));
  },
  read(path: string, opts: ManifestOptions) {
    return guarded(path, 'manifest-unreadable', readAzure(path, opts), opts.signal);
  },
};

function unquote(cell: string): string {
  return cell.trim().replace(/^"|"$/g, '');
}

function isAzureHeader(cells: string[]): boolean {
  return cells.includes('Name') && cells.includes('Content-Length');
}

async function* readAzure(path: string, opts: ManifestOptions): AsyncGenerator<SourceEvent> {
  if (!path.toLowerCase().endsWith('.json')) {
    if (opts.azureAccount === undefined) {
      yield notice(
        path,
        'warning',
        `an inventory CSV read without its manifest does not name its account: blobs are located as azure://${UNKNOWN_ACCOUNT}/...`,
      );
    }
    yield* readCsv(path, opts.azureAccount, opts.asOf);
    return;
  }
  const manifest = yield* inventoryManifest(path, opts.maxJsonBytes, 'manifest.checksum');
  if (manifest === undefined) return;
  const status = str(manifest, 'status');
  if (status !== undefined && status !== 'Succeeded') {
    yield coverage({ location: path, reason: 'manifest-partial', detail: `inventory run status is ${status}, not Succeeded`, incomplete: true });
  }
  const account = opts.azureAccount ?? accountFromEndpoint(str(manifest, 'endpoint'));
  const asOf = parseDate(str(manifest, 'inventoryStartTime')) ?? opts.asOf;
  const format = str(field(manifest, 'ruleDefinition'), 'format') ?? 'csv';
  const files = field(manifest, 'files');
  if (!Array.isArray(files)) {
    yield coverage({ location: path, reason: 'manifest-unreadable', detail: 'no files[] list', incomplete: true });
    return;
  }
  for (const f of files) {
    const blob = str(f, 'blob');
    if (format.toLowerCase() !== 'csv') {
      yield coverage({
        location: blob ?? path,
        reason: 'manifest-unsupported',
        detail: `${format} inventory files are not supported (no well-kept reader in custody's dependencies); configure the rule as csv`,
        incomplete: true,
      });
      continue;
    }
    const found = blob === undefined ? undefined : await resolveDataFile(path, blob);
    if (found?.kind !== 'found') {
      yield dataFileCoverage(blob ?? path, found, 'inventory file listed in the manifest not found locally');
      continue;
    }
    const local = found.file;
    const size = field(f, 'size');
    yield* readCsv(local, account, asOf, typeof size === 'number' ? size : undefined);
  }
}

function readCsv(file: string, account: string | undefined, asOf: Date | undefined, size?: number): AsyncGenerator<SourceEvent> {
  const opts = { isHeader: isAzureHeader, ...(size !== undefined ? { size } : {}) };
  return headerCsv(file, opts, (columns) => azureRowMapper(columns, file, account, asOf));
}

function azureRowMapper(columns: string[], file: string, account: string | undefined, asOf: Date | undefined): HeaderRowMapper {
  const at = columnIndex(columns);
  const [iName, iSize, iMd5, iModified, iCreated] = ['Name', 'Content-Length', 'Content-MD5', 'Last-Modified', 'Creation-Time'].map(at);
  const [iEncrypted, iScope, iCpk, iDeleted, iSnapshot, iVersion, iCurrent] = [
    'ServerEncrypted',
    'EncryptionScope',
    'CustomerProvidedKeySha256',
    'Deleted',
    'Snapshot',
    'VersionId',
    'IsCurrentVersion',
  ].map(at);
  const cell = (fields: string[], i: number | undefined): string => (i === undefined ? '' : (fields[i] ?? ''));
  return (fields, line, out) => {
    if (fields.length !== columns.length) {
      out.push(rowCoverage(file, line, `expected ${columns.length} columns, found ${fields.length}`));
      return;
    }
    const name = cell(fields, iName);
    const slash = name.indexOf('/');
    const size = parseSize(cell(fields, iSize));
    if (slash <= 0 || slash === name.length - 1 || size === undefined) {
      out.push(rowCoverage(file, line, size === undefined ? 'Content-Length is not a byte count' : 'Name is not container/blob'));
      return;
    }
    // Soft-deleted blobs, snapshots and old versions still hold data: kept, with a distinct location.
    const snapshot = cell(fields, iSnapshot);
    const version = cell(fields, iVersion);
    const deleted = cell(fields, iDeleted) === 'true';
    const suffix = snapshot ? `?snapshot=${snapshot}` : version && cell(fields, iCurrent) === 'false' ? `?versionId=${version}` : deleted ? '?deleted' : '';
    const item: Omit<Item, 'origin' | 'content'> = { location: azureLocation(account, name.slice(0, slash), name.slice(slash + 1)) + suffix, size };
    const mtime = parseDate(cell(fields, iModified));
    if (mtime) item.mtime = mtime;
    const created = parseDate(cell(fields, iCreated));
    if (created) item.ctime = created;
    const encryption = azureEncryption(iEncrypted === undefined ? undefined : cell(fields, iEncrypted), cell(fields, iScope), cell(fields, iCpk));
    if (encryption) item.encryption = encryption;
    const rawMd5 = cell(fields, iMd5);
    const md5 = rawMd5 === '' ? undefined : base64ToHex(rawMd5, 16);
    if (rawMd5 !== '' && md5 === undefined) {
      out.push(rowCoverage(file, line, 'Content-MD5 is not a base64 MD5'));
      return;
    }
    if (md5 !== undefined) item.digests = { md5 };
    else item.opaqueDigest = 'no Content-MD5 in inventory';
    if (asOf) item.asOf = asOf;
    out.push(itemEvent(item));
  };
}
