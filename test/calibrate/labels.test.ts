import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_NEGATIVE_CLASS, DEFAULT_POSITIVE_CLASS, parseLabels } from '../../src/calibrate/labels.js';
import { InputError } from '../../src/util/errors.js';

const csvFile = path.resolve('/data/labels/set.csv');

describe('parseLabels', () => {
  it('reads query, reference and class in any order and case, resolving paths against the CSV folder', () => {
    const text = [
      '\uFEFFClass,Reference,QUERY,notes',
      '# a comment line',
      'crop, vehicle/0001.jpg ,copies/a.jpg,x',
      '',
      ',,negatives/b.png',
      'thumb,vehicle/0002.jpg,/abs/c.webp',
    ].join('\n');
    const rows = parseLabels(text, csvFile);
    expect(rows).toEqual([
      { query: 'copies/a.jpg', path: path.resolve('/data/labels/copies/a.jpg'), expected: 'vehicle/0001.jpg', class: 'crop', line: 3 },
      { query: 'negatives/b.png', path: path.resolve('/data/labels/negatives/b.png'), class: DEFAULT_NEGATIVE_CLASS, line: 5 },
      { query: '/abs/c.webp', path: path.resolve('/abs/c.webp'), expected: 'vehicle/0002.jpg', class: 'thumb', line: 6 },
    ]);
  });

  it('defaults the class from the label when there is no class column', () => {
    const rows = parseLabels('query,reference\nq1.jpg,r1\nq2.jpg,\n', csvFile);
    expect(rows.map((r) => r.class)).toEqual([DEFAULT_POSITIVE_CLASS, DEFAULT_NEGATIVE_CLASS]);
    expect(rows[1]).not.toHaveProperty('expected');
  });

  it('rejects a header without the required columns, naming what it found', () => {
    expect(() => parseLabels('path,expected\nq.jpg,r\n', csvFile)).toThrow(/need the columns query and reference \(found: path, expected\)/);
  });

  it('points at the line of an empty query path', () => {
    let caught: unknown;
    try {
      parseLabels('query,reference\nq.jpg,r\n,r2\n', csvFile);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(InputError);
    expect((caught as Error).message).toBe(`${csvFile}:3: empty query path`);
  });

  it('reports malformed CSV by code and line without quoting cells', () => {
    expect(() => parseLabels('query,reference\n"SECRET1,r\n', csvFile)).toThrow(InputError);
    try {
      parseLabels('query,reference\n"SECRET1,r\n', csvFile);
    } catch (error) {
      expect((error as Error).message).toMatch(/not valid CSV \(CSV_/);
      expect((error as Error).message).not.toContain('SECRET1');
    }
  });

  it('rejects an empty file', () => {
    expect(() => parseLabels('', csvFile)).toThrow(/empty/);
  });
});
