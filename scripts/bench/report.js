// @ts-check
/**
 * Formats benchmark rows: a plain-text table for the terminal and the Markdown of BENCHMARKS.md.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';

/**
 * @typedef {import('./measure.js').Measurement} Measurement
 * @typedef {object} Row
 * @property {string} name
 * @property {Measurement | undefined} custody
 * @property {string} baselineName
 * @property {Measurement | undefined} baseline
 * @property {string} ratio the headline ratio, already worded (e.g. "12.3x faster")
 * @property {string} target
 * @property {'met' | 'missed' | 'n/a' | 'skipped'} verdict
 * @property {string} [note]
 */

/** @param {Measurement | undefined} m */
const cell = (m) => (m ? `${m.wall.toFixed(2)} s / ${m.cpu.toFixed(2)} s / ${Math.round(m.rssMiB)} MiB` : 'n/a');

/**
 * CPU time is less disturbed than wall time by other load on a shared machine, so it is shown too.
 * @param {Pick<Row, 'custody' | 'baseline'>} r
 */
const cpuRatio = (r) => (r.custody && r.baseline && r.baseline.cpu > 0 ? `${(r.custody.cpu / r.baseline.cpu).toFixed(2)}` : 'n/a');

/**
 * @param {readonly Row[]} rows
 * @returns {string[][]}
 */
function cells(rows) {
  return [
    ['comparison', 'custody wall / CPU / peak RSS', 'baseline', 'baseline wall / CPU / peak RSS', 'ratio (wall)', 'CPU custody / baseline', 'target', 'verdict'],
    ...rows.map((r) => [r.name, cell(r.custody), r.baselineName, cell(r.baseline), r.ratio, cpuRatio(r), r.target, r.verdict]),
  ];
}

/**
 * Fixed-width text table.
 * @param {readonly Row[]} rows
 */
export function textTable(rows) {
  const table = cells(rows);
  const widths = table[0]?.map((_, c) => Math.max(...table.map((row) => (row[c] ?? '').length))) ?? [];
  const line = (/** @type {string[]} */ row) => row.map((v, c) => v.padEnd(widths[c] ?? 0)).join('  ').trimEnd();
  const out = [line(table[0] ?? []), widths.map((w) => '-'.repeat(w)).join('  ')];
  for (const row of table.slice(1)) out.push(line(row));
  const notes = rows.filter((r) => r.note).map((r) => `- ${r.name}: ${r.note}`);
  return [...out, ...(notes.length ? ['', ...notes] : [])].join('\n');
}

/**
 * Markdown table.
 * @param {readonly Row[]} rows
 */
export function markdownTable(rows) {
  const table = cells(rows);
  const esc = (/** @type {string} */ v) => v.replaceAll('|', '\\|');
  return [
    `| ${(table[0] ?? []).join(' | ')} |`,
    `| ${(table[0] ?? []).map(() => '---').join(' | ')} |`,
    ...table.slice(1).map((row) => `| ${row.map(esc).join(' | ')} |`),
  ].join('\n');
}

/** @param {string} cmd @param {string[]} args */
function firstLine(cmd, args) {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim().split('\n')[0] ?? '';
  } catch (error) {
    const e = /** @type {{ stdout?: string, stderr?: string }} */ (error);
    return (e.stdout || e.stderr || 'unavailable').trim().split('\n')[0] ?? 'unavailable';
  }
}

/**
 * The machine the figures come from.
 * @param {Record<string, boolean>} tools
 */
export function machine(tools) {
  const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  const model = /model name\s*:\s*(.*)/.exec(cpuinfo)?.[1] ?? os.cpus()[0]?.model ?? 'unknown';
  // biome-ignore lint/suspicious/noTemplateCurlyInString: dpkg-query's own format syntax
  const pkg = (/** @type {string} */ name) => firstLine('dpkg-query', ['-W', '-f', '${Version}', name]);
  return {
    nproc: firstLine('nproc', []),
    cpu: model.trim(),
    memory: firstLine('sh', ['-c', 'free -h | sed -n 2p']).replace(/\s+/g, ' '),
    kernel: os.release(),
    node: process.version,
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a template literal of the child's script
    sharp: firstLine(process.execPath, ['-e', "import('sharp').then(s=>console.log(`sharp ${s.default.versions.sharp}, libvips ${s.default.versions.vips}`))"]),
    hashdeep: tools['hashdeep'] ? `${firstLine('hashdeep', ['-V'])} (Debian ${pkg('hashdeep')})` : 'not installed',
    findimagedupes: tools['findimagedupes'] ? `Debian ${pkg('findimagedupes')}` : 'not installed',
    gzip: firstLine('gzip', ['--version']),
    rg: firstLine('rg', ['--version']),
    loadAverageAtStart: os.loadavg().map((v) => v.toFixed(2)).join(' '),
  };
}
