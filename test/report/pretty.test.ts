import { describe, expect, it } from 'vitest';
import { pretty } from '../../src/report/pretty.js';
import { cleanReport, sampleReport } from '../support/sample-report.js';

/** Any ESC byte at all: colour codes or escape sequences. */
const ESC = /\u001b/;

describe('pretty reporter', () => {
  it('starts with the verdict line', () => {
    expect(pretty(sampleReport(), { color: false, showWaived: false }).split('\n')[0]).toMatch(/^VIOLATED {2}9 violations/);
    expect(pretty(cleanReport(), { color: false, showWaived: false }).split('\n')[0]).toBe('PASSED  no violations found');
  });

  it('writes no escape code at all without colour, even for hostile names', () => {
    const text = pretty(sampleReport(), { color: false, showWaived: true });
    expect(text).not.toMatch(ESC);
    expect(text).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
    expect(text).toContain('=HYPERLINK("http://evil.example")\\n\\x1b]0;pwned\\x07<img src=x onerror=alert(1)>\\u202egpj.jpg');
    expect(text).toContain('incoming/bad\\x1b[2J.jpg');
  });

  it('colours with an injected level, and data still cannot emit its own sequences', () => {
    const text = pretty(sampleReport(), { color: true, showWaived: true });
    expect(text).toMatch(ESC);
    // The only ESC bytes are SGR colour codes chalk wrote; the name's OSC and ED sequences are escaped.
    expect(text.replace(/\u001b\[\d+(?:;\d+)*m/g, '')).not.toMatch(ESC);
    expect(text).not.toContain('\u001b]0;pwned');
    expect(text).not.toContain('\u202e');
  });

  it('groups findings by protocol and hides waived findings unless asked', () => {
    const hidden = pretty(sampleReport(), { color: false, showWaived: false });
    expect(hidden).toContain('1 waived (hidden; --show-waived lists them)');
    expect(hidden).not.toContain('backups/2026-q1.zip!/captures/cap-000117.jpg');
    const shown = pretty(sampleReport(), { color: false, showWaived: true });
    expect(shown).toContain('backups/2026-q1.zip!/captures/cap-000117.jpg  [waived W-2026-04]');
    const loc = shown.indexOf('  LOC-1  Agency data only in the authorised enclave');
    const perm = shown.indexOf('  PERM-1  No group or world access');
    expect(loc).toBeGreaterThan(0);
    expect(perm).toBeGreaterThan(loc);
    expect(shown.slice(loc, perm).match(/^ {4}error /gm)).toHaveLength(5 + 1); // LOC-1 (5) and ARC-1 (1)
  });

  it('summarises counts, coverage and notices', () => {
    const text = pretty(sampleReport(), { color: false, showWaived: false });
    expect(text).toContain('12408 seen, 12391 inspected, 17 skipped');
    expect(text).toContain('by class: plate-record 1, traveler-image 2, vehicle-image 6');
    expect(text).toContain('critical 1, high 6, medium 2, low 1; waived 1');
    expect(text).toContain('unreadable 2 (incomplete), special-file 1, symlink 1, too-large 1 (incomplete)');
    expect(text).toContain('warning  exports/inventory.csv: S3 inventory lists 12 objects');
    expect(text).toContain('W-2025-11  PERM-1  corp-share/**  expired 2026-01-31');
  });

  it('is byte-identical for the same input', () => {
    const ctx = { color: true, showWaived: true };
    expect(pretty(sampleReport(), ctx)).toBe(pretty(sampleReport(), ctx));
  });
});
