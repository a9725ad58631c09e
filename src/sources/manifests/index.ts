/**
 * Export manifests as a source (`manifestSource`, registered in src/sources/registry.ts):
 * `readManifest(path, { format?, ...options })` yields the same SourceEvents as the filesystem and
 * archive sources, one Item (origin 'manifest') per object.
 */

export { UNKNOWN_ACCOUNT } from './azure-location.js';
export { UNKNOWN_BUCKET } from './formats/s3-list-objects.js';
export { detectManifestFormat, MANIFEST_FORMATS, manifestFormat, type ReadManifestOptions, readManifest, readManifestGroups } from './registry.js';
export { MANIFEST_KNOWLEDGE, type ManifestInput, manifestSource } from './source.js';
export { ManifestError, type ManifestFormat, type ManifestOptions, UNKNOWN_SIZE } from './types.js';
