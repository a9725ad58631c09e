/**
 * The archive hook the audit takes (`AuditRequest.archives`). Sources themselves, and everything
 * that reads inputs, live in src/sources/ (registry.ts); this name stays for existing importers.
 */
export { type ArchiveHook, archiveHook } from '../sources/archives-on-disk.js';
