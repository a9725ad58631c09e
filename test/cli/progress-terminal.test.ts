import { execFile, execFileSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import stringWidth from 'string-width';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Tally } from '../../src/audit/tally.js';
import type { Io } from '../../src/cli/io.js';
import { progressDisplay } from '../../src/cli/progress.js';
import { bytesOf, REPO_ROOT, tempDir, writeTree } from '../support/tmp.js';

/** A terminal-like stream whose width the test sets, recording what was written. */
function terminal(columns: number): Io & { text: () => string; setColumns: (n: number) => void } {
  let text = '';
  const stream = { isTTY: true, columns, write: (s: string) => (text += s) };
  return { stdout: stream, stderr: stream, env: {}, cwd: '/', text: () => text, setColumns: (n) => (stream.columns = n) };
}

/** The frames written: text between carriage returns, with escape sequences removed. */
const frames = (raw: string): string[] =>
  raw
    .split('\r')
    .map((part) => part.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, ''))
    .filter((part) => part.length > 0);

/** A busy audit: big counts, an estimate and cache hits make the full line about 140 columns. */
const busy = (): Tally =>
  Object.assign(new Tally(), {
    filesSeen: 1_234_567,
    bytesSeen: 987 * 1024 ** 3,
    bytesRead: 512 * 1024 ** 3,
    entriesSeen: 1_234_000,
    entriesExpected: 2_468_000,
  });
const HITS = { hits: 1_000_000 } as never;

describe('progress line width', () => {
  it('fits 80 columns by dropping the least useful fields, keeping files and ETA', () => {
    const io = terminal(80);
    const progress = progressDisplay(io, false);
    progress.onItem!(busy(), HITS);
    const [frame] = frames(io.text());
    expect(stringWidth(frame!)).toBeLessThanOrEqual(79);
    expect(frame).toMatch(/^custody: inspecting: 1234567 files, .*ETA (\d+m \d\ds|\d+s)$/);
    expect(frame).not.toMatch(/ read/);
  });

  it('truncates by display width, wide characters counting two columns', () => {
    const io = terminal(30);
    const progress = progressDisplay(io, false);
    progress.onPhase!('監査'.repeat(20));
    const [frame] = frames(io.text());
    expect(stringWidth(frame!)).toBeLessThanOrEqual(29);
    expect(frame!.endsWith('…')).toBe(true);
    expect(frame!.length).toBeLessThan(29); // fewer characters than columns: each ideograph is two
  });

  it('reads the width at each draw and clears the rows a narrowed terminal wrapped the last frame onto', () => {
    const io = terminal(120);
    const progress = progressDisplay(io, false);
    progress.onPhase!('x'.repeat(200)); // cut to 119 columns
    io.setColumns(40); // a reflowing terminal now shows that frame on 3 rows, the cursor on the last
    progress.onPhase!('evaluating');
    progress.done();
    const written = io.text();
    const second = written.indexOf('\x1b[2A\r\x1b[J');
    expect(second).toBeGreaterThan(0);
    expect(written.slice(second)).toBe('\x1b[2A\r\x1b[Jcustody: evaluating ...\r\x1b[2K');
    expect(frames(written).map((f) => stringWidth(f))).toEqual([119, 'custody: evaluating ...'.length]);
  });

  it("asks the terminal for its width at each draw, before Node's SIGWINCH handler has run", () => {
    const io = terminal(80);
    let real = 80;
    // tty.WriteStream updates `columns` from the terminal in _refreshSize; the event loop calls it on SIGWINCH.
    Object.assign(io.stderr, { _refreshSize: () => io.setColumns(real) });
    const progress = progressDisplay(io, false);
    progress.onPhase!('x'.repeat(200));
    real = 50; // the window narrowed; the handler has not run yet
    progress.onPhase!('y'.repeat(200));
    progress.done();
    expect(frames(io.text()).map((f) => stringWidth(f))).toEqual([79, 49]);
  });

  it('clears the line before a notice written through its io, and redraws after', () => {
    const io = terminal(80);
    const progress = progressDisplay(io, false);
    progress.onPhase!('evaluating');
    progress.io.stderr.write('custody: cache off\n');
    progress.io.stderr.write('custody: second notice\n');
    progress.done();
    expect(io.text()).toBe('\r\x1b[2Kcustody: evaluating ...\r\x1b[2Kcustody: cache off\ncustody: second notice\n');
  });
});

const run = promisify(execFile);
const hasTmux = (() => {
  try {
    execFileSync('tmux', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
if (!hasTmux) console.warn('progress-terminal: tmux is not installed (Debian package tmux); the pseudo-terminal test is skipped');

/**
 * The real binary under tmux, a real pseudo-terminal 80 columns wide: an audit of a root whose path
 * alone is wider than the terminal. Mid-audit the process is stopped, the window narrowed to 50
 * columns (tmux reflows the line on screen), and the process continued: every frame must fit the
 * width it was drawn at, and after the audit the screen must hold no progress text and no line
 * wider than the terminal.
 */
describe.skipIf(!hasTmux)('progress line under a pseudo-terminal (tmux)', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  const socket = `custody-progress-${process.pid}`;
  const tmux = async (...args: string[]) => (await run('tmux', ['-L', socket, '-f', '/dev/null', ...args])).stdout;

  beforeAll(async () => {
    ({ dir, cleanup } = await tempDir());
  });
  afterAll(async () => {
    await tmux('kill-server').catch(() => undefined);
    await cleanup();
  });

  it('fits 80 columns, follows a resize to 50, and leaves nothing stale', async () => {
    const root = path.join(dir, 'agency-export-四半期-'.padEnd(70, 'x'), 'contractor-share-'.padEnd(70, 'y'));
    const files: Record<string, Buffer> = {};
    for (let i = 0; i < 2500; i++) files[`d${i % 25}/f${i}.bin`] = bytesOf(`file ${i}`, 256);
    await writeTree(root, files);
    await writeFile(
      path.join(dir, 'policy.yaml'),
      [
        'version: 1',
        'contract:',
        '  id: C-1',
        '  title: T',
        '  agency: A',
        '  clauses:',
        '    - id: H.1',
        '      title: C',
        'protocols:',
        '  - id: P-1',
        '    clause: H.1',
        '    title: L',
        '    severity: high',
        '    require: { kind: location }',
        '',
      ].join('\n'),
    );
    const bin = path.join(REPO_ROOT, 'bin', 'custody.js');
    const raw = path.join(dir, 'raw.log');
    const file = async (name: string) => (await readFile(path.join(dir, name), 'utf8').catch(() => '')).trim();
    const until = async (ready: () => Promise<boolean>) => {
      for (const deadline = Date.now() + 60_000; Date.now() < deadline && !(await ready()); ) await new Promise((resolve) => setTimeout(resolve, 10));
    };
    // The command waits for `go` so that remain-on-exit and the output pipe are set up first; it
    // records the audit's pid (to stop it) and exit status.
    const command = `unset CI; cd '${dir}'; while [ ! -e go ]; do sleep 0.05; done; node '${bin}' audit '${root}' --policy policy.yaml --no-cache --jobs 1 --format json --output report.json & echo $! > pid; wait $!; echo $? > status`;
    await tmux('new-session', '-d', '-x', '80', '-y', '24', '-s', 'audit', command);
    await tmux('set-option', '-t', 'audit', 'remain-on-exit', 'on');
    await tmux('pipe-pane', '-t', 'audit', '-o', `cat >> '${raw}'`);
    await writeFile(path.join(dir, 'go'), '');
    await until(async () => (await file('pid')) !== '');
    const pid = Number(await file('pid'));

    let stopped = false;
    await until(async () => {
      if ((await file('status')) !== '') return true;
      // A frame with the entry estimate: unfitted, it is about 95 columns.
      if (!/custody: inspecting: .*\/~\d+ entries/.test(await tmux('capture-pane', '-p', '-J', '-t', 'audit'))) return false;
      process.kill(pid, 'SIGSTOP');
      return (stopped = true);
    });
    expect(stopped, 'the audit ended before a progress frame could be seen').toBe(true);
    // Let tmux's pipe catch up with everything the stopped process wrote (slow on a loaded machine):
    // the log must stop growing before the resize splits it into before and after.
    let beforeResize = -1;
    for (const deadline = Date.now() + 10_000; Date.now() < deadline; ) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      const length = (await readFile(raw)).length;
      if (length === beforeResize) break;
      beforeResize = length;
    }
    await tmux('resize-window', '-t', 'audit', '-x', '50', '-y', '24');
    await new Promise((resolve) => setTimeout(resolve, 200));
    process.kill(pid, 'SIGCONT');
    await until(async () => (await file('status')) !== '');
    expect(await file('status')).toBe('0');
    await new Promise((resolve) => setTimeout(resolve, 200)); // the last output through the pipe

    const log = await readFile(raw);
    const before = frames(log.subarray(0, beforeResize).toString('utf8'));
    const after = frames(log.subarray(beforeResize).toString('utf8'));
    expect(before.some((frame) => /^custody: inspecting: .*entries/.test(frame))).toBe(true);
    for (const frame of before) expect(stringWidth(frame)).toBeLessThanOrEqual(79);
    expect(after).toContain('custody: evaluating ...');
    for (const frame of after) expect(stringWidth(frame)).toBeLessThanOrEqual(49);

    // -J joins rows the terminal wrapped, so a frame that overflowed would show as one long line.
    const screen = (await tmux('capture-pane', '-p', '-J', '-t', 'audit')).split('\n');
    expect(screen.filter((line) => /custody: (inspecting|evaluating)|files\/s|ETA/.test(line))).toEqual([]);
    for (const line of screen) expect(stringWidth(line)).toBeLessThanOrEqual(50);
  }, 120_000);
});
