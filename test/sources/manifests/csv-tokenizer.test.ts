import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { type CsvRecord, CsvTokenizer } from '../../../src/sources/manifests/csv-tokenizer.js';

/** Feeds `text` in chunks of `size` characters. */
function tokenize(text: string, size: number): CsvRecord[] {
  const t = new CsvTokenizer();
  const out: CsvRecord[] = [];
  for (let i = 0; i < text.length; i += size) out.push(...t.push(text.slice(i, i + size)));
  out.push(...t.end());
  return out;
}

/** Deterministic pseudo-random generator (LCG), so failures reproduce. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function randomCsv(next: () => number): string {
  const alphabet = ['a', 'b', ' ', ',', '"', '\n', '\r\n', '\u00e9', '+', '%'];
  const rows: string[] = [];
  const rowCount = 1 + Math.floor(next() * 6);
  for (let r = 0; r < rowCount; r++) {
    const cells: string[] = [];
    const cols = 1 + Math.floor(next() * 4);
    for (let c = 0; c < cols; c++) {
      let v = '';
      const len = Math.floor(next() * 6);
      for (let k = 0; k < len; k++) v += alphabet[Math.floor(next() * alphabet.length)];
      const plain = !/[",\r\n]/.test(v) && next() < 0.5;
      cells.push(plain ? v : `"${v.replace(/"/g, '""')}"`);
    }
    rows.push(cells.join(','));
  }
  return rows.join(next() < 0.5 ? '\n' : '\r\n') + (next() < 0.5 ? '\n' : '');
}

describe('CsvTokenizer', () => {
  it('agrees with csv-parse on 500 random valid CSV documents, whatever the chunking', () => {
    const next = rng(42);
    for (let n = 0; n < 500; n++) {
      const text = randomCsv(next);
      const expected = (parse(text, { relax_column_count: true, skip_empty_lines: true, record_delimiter: ['\r\n', '\n'] }) as string[][]).filter(
        (r) => !(r.length === 1 && r[0] === ''),
      );
      for (const size of [1, 3, text.length]) {
        const got = tokenize(text, size);
        expect(
          got.filter((r) => r.error).map((r) => r.error),
          text,
        ).toEqual([]);
        expect(
          got.map((r) => r.fields),
          JSON.stringify(text),
        ).toEqual(expected);
      }
    }
  });

  it('numbers records by the line they start on, counting newlines inside quotes', () => {
    const got = tokenize('"a\nb",c\n\nd,e\r\nf\n', 2);
    expect(got.map((r) => [r.line, r.fields])).toEqual([
      [1, ['a\nb', 'c']],
      [4, ['d', 'e']],
      [5, ['f']],
    ]);
  });

  it('reports text after a closing quote and resumes on the next line', () => {
    const got = tokenize('"a"x,b\n"c","d"\n', 4);
    expect(got[0]).toMatchObject({ line: 1, error: 'unexpected text after a closing quote' });
    expect(got[1]).toEqual({ fields: ['c', 'd'], line: 2 });
  });

  it('reports an unclosed quote at the end of input', () => {
    const got = tokenize('"a","b\n', 3);
    expect(got).toHaveLength(1);
    expect(got[0]?.error).toBe('unclosed quoted field at end of file');
  });

  it('caps a runaway record instead of buffering it', () => {
    const t = new CsvTokenizer(',', 100);
    const out = [...t.push(`"${'x'.repeat(500)}`), ...t.push('more"\n'), ...t.push('ok\n'), ...t.end()];
    expect(out[0]?.error).toMatch(/longer than 100/);
    expect(out.at(-1)).toMatchObject({ fields: ['ok'] });
  });

  it('drops a leading BOM and trailing blank lines', () => {
    expect(tokenize('\uFEFF"a",b\n\n\n', 5).map((r) => r.fields)).toEqual([['a', 'b']]);
  });
});
