import { describe, expect, it } from 'vitest';
import { markdown, md } from '../../src/report/markdown.js';
import { sampleReport } from '../support/sample-report.js';

describe('markdown reporter', () => {
  it('escapes pipes, backticks, HTML and controls in names', () => {
    expect(md('a|b`c<img>&\n')).toBe('a\\|b\\`c&lt;img&gt;&amp;\\\\n');
  });

  it('starts with the verdict and keeps every table row to its columns', () => {
    const text = markdown(sampleReport(), { color: false, showWaived: false });
    expect(text.split('\n')[0]).toBe('## ❌ custody: VIOLATED');
    for (const line of text.split('\n').filter((l) => l.startsWith('|'))) {
      // Unescaped pipes delimit cells; a name's pipe must not add one.
      const cells = line.replace(/\\\|/g, '').split('|').length - 2;
      expect([5, 6]).toContain(cells);
    }
    expect(text).not.toContain('<img');
    expect(text).not.toContain('</script>');
    expect(text).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u202e]/);
  });

  it('limits the findings list to maxFindings and hides waived ones unless asked', () => {
    const short = markdown(sampleReport(), { color: false, showWaived: false, maxFindings: 3 });
    expect(short).toContain('### First 3 of 9 findings');
    const all = markdown(sampleReport(), { color: false, showWaived: true });
    expect(all).toContain('### Findings');
    expect(all).toContain('waived (W-2026-04)');
  });
});
