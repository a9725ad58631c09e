import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { html } from '../../src/report/html.js';
import { HOSTILE_LOCATION, SCRIPT_LOCATION, sampleReport } from '../support/sample-report.js';

const page = html(sampleReport(), { color: false, showWaived: true });

describe('html reporter (markup)', () => {
  it('is one self-contained file: no URL that a browser would fetch', () => {
    // No tag carries a fetching attribute (escaped text such as `&lt;img src=x` is not a tag).
    expect(page).not.toMatch(/<[^>]*\b(?:src|href|action|poster|srcset|data)\s*=/i);
    expect(page).not.toMatch(/url\(|@import/i);
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(page)?.[1] ?? '';
    expect(csp).toMatch(/^default-src 'none'; style-src 'sha256-[A-Za-z0-9+/=]+' 'sha256-[A-Za-z0-9+/=]+'; script-src 'sha256-[A-Za-z0-9+/=]+'/);
    // Each hash is the one of a style or script block the page holds, and there is no other block.
    const blocks = [...page.matchAll(/<(style|script)>(.*?)<\/\1>/gs)].map((m) => `'sha256-${createHash('sha256').update(m[2]!).digest('base64')}'`);
    expect(blocks).toHaveLength(3);
    for (const hash of blocks) expect(csp).toContain(hash);
  });

  it('has exactly the two script elements it writes, and hostile names only as text', () => {
    expect(page.match(/<script\b/g)).toHaveLength(2);
    expect(page.match(/<\/script>/g)).toHaveLength(2);
    expect(page).not.toContain('<img');
    expect(page).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(page).toContain('incoming/<wbr>&lt;/<wbr>script&gt;&lt;script&gt;alert(1)&lt;/<wbr>script&gt;.jpg');
  });

  it('embeds the report as JSON with < escaped, and the JSON is intact', () => {
    const m = /<script type="application\/json" id="custody-data">(.*?)<\/script>/s.exec(page);
    expect(m).not.toBeNull();
    const body = m![1]!;
    expect(body).not.toMatch(/[<>]/);
    const data = JSON.parse(body) as { findings: { location: string }[] };
    expect(data.findings.map((f) => f.location)).toContain(HOSTILE_LOCATION);
    expect(data.findings.map((f) => f.location)).toContain(SCRIPT_LOCATION);
  });

  it('puts the verdict before everything else in the body', () => {
    const body = page.slice(page.indexOf('<body>'));
    expect(body.indexOf('id="verdict"')).toBeLessThan(body.indexOf('id="clauses"'));
    expect(body).toContain('<p class="word">VIOLATED</p>');
  });
});
