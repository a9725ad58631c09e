import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { html } from '../../src/report/html.js';
import { loc } from '../../src/report/html-markup.js';
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
    // Locations are split into path segments (wrapping markup), their text escaped within.
    const text = page.replace(/<wbr>|<span class="seg">|<\/span>/g, '');
    expect(text).toContain('incoming/&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;.jpg');
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

  it('puts the verdict first, then the key numbers, the spread, clauses and findings', () => {
    const body = page.slice(page.indexOf('<body>'));
    // The officer's order: verdict, key numbers, spread of copies, clauses, findings by location.
    const order = ['id="verdict"', 'data-kpi="outside"', 'id="spread"', 'id="clauses"', 'id="protocols"', 'id="findings"', 'id="coverage"'].map((m) =>
      body.indexOf(m),
    );
    expect(order.every((i) => i > 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(body).toContain('<p class="word">VIOLATED</p>');
  });

  it('lets locations wrap only after path separators, a long single name excepted', () => {
    expect(loc('corp-share/lane3 photo (1).jpg')).toBe('<span class="seg">corp-share/</span><wbr><span class="seg">lane3 photo (1).jpg</span>');
    expect(loc('b/x.zip!/a&b.jpg')).toBe('<span class="seg">b/</span><wbr><span class="seg">x.zip!/</span><wbr><span class="seg">a&amp;b.jpg</span>');
    const long = 'n'.repeat(40);
    expect(loc(`d/${long}`)).toBe(`<span class="seg">d/</span><wbr>${long}`);
  });
});
