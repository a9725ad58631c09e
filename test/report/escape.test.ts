import { describe, expect, it } from 'vitest';
import { escapeControl, escapeMarkup } from '../../src/report/escape.js';

describe('escapeControl', () => {
  it.each([
    ['a\nb', 'a\\nb'],
    ['tab\there\r', 'tab\\there\\r'],
    ['\u001b[31mred', '\\x1b[31mred'],
    ['nul\u0000del\u007f', 'nul\\x00del\\x7f'],
    ['c1\u0085\u009b', 'c1\\x85\\x9b'],
    ['evil\u202egpj.exe', 'evil\\u202egpj.exe'],
    ['iso\u2066x\u2069', 'iso\\u2066x\\u2069'],
    ['zw\u200bsp\u2028ls', 'zw\\u200bsp\\u2028ls'],
    ['bom\ufeff', 'bom\\ufeff'],
    ['lone\ud800', 'lone\\ud800'],
    ['back\\slash', 'back\\\\slash'],
  ])('escapes %j visibly', (input, expected) => {
    expect(escapeControl(input)).toBe(expected);
  });

  it('keeps printable text, other scripts and emoji intact', () => {
    const text = 'Bürger/日本語/مرحبا/📷 photo (1).jpg';
    expect(escapeControl(text)).toBe(text);
  });

  it('leaves no control, bidi or format character in its output', () => {
    let all = '';
    for (let cp = 0; cp < 0x3000; cp++) all += String.fromCodePoint(cp);
    const out = escapeControl(all);
    expect(out).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2060-\u2069]/);
  });

  it('is stable across calls (no regex state leaks between inputs)', () => {
    expect(escapeControl('a\n')).toBe('a\\n');
    expect(escapeControl('b\n')).toBe('b\\n');
    expect(escapeControl('plain')).toBe('plain');
  });
});

describe('escapeMarkup', () => {
  it('escapes the five markup characters', () => {
    expect(escapeMarkup(`<a href="x" title='y'>&</a>`)).toBe('&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;');
  });
});
