/**
 * Export manifests as a source: `readManifest(path, { format?, ...options })` yields the same
 * SourceEvents as the filesystem and archive sources, one Item (origin 'manifest') per object.
 */
export { MANIFEST_FORMATS, detectManifestFormat, manifestFormat, readManifest, type ReadManifestOptions } from './registry.js';
export { ManifestError, UNKNOWN_SIZE, type ManifestFormat, type ManifestOptions } from './types.js';
export { UNKNOWN_BUCKET } from './formats/s3-list-objects.js';
export { UNKNOWN_ACCOUNT } from './azure-location.js';
