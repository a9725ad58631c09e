import { describe, expect, it } from 'vitest';
import { Tally } from '../../src/audit/tally.js';
import type { Io } from '../../src/cli/io.js';
import { progressDisplay } from '../../src/cli/progress.js';

function ioWith(isTTY: boolean, env: Record<string, string> = {}): Io & { text: () => string } {
  let text = '';
  const stream = { isTTY, write: (s: string) => (text += s) };
  return { stdout: stream, stderr: stream, env, cwd: '/', text: () => text };
}

const tally = (): Tally => Object.assign(new Tally(), { filesSeen: 1200, bytesSeen: 5 * 1024 * 1024, bytesRead: 1024 });

describe('progress display', () => {
  it('draws one line on a terminal and clears it when done', () => {
    const io = ioWith(true);
    const progress = progressDisplay(io, false);
    progress.onItem!(tally());
    progress.done();
    expect(io.text()).toMatch(/^\r\x1b\[2Kcustody: inspecting: 1200 files, 5\.0 MiB seen, 1\.0 KiB read, \d+ files\/s\r\x1b\[2K$/);
  });

  it('shows entries against the estimate, an ETA, and the phase after inspection', () => {
    const io = ioWith(true);
    const progress = progressDisplay(io, false);
    expect(progress.wantsEstimate).toBe(true);
    progress.onItem!(Object.assign(tally(), { entriesSeen: 1000, entriesExpected: 20400 }));
    progress.onPhase!('evaluating');
    progress.done();
    expect(io.text()).toMatch(
      /inspecting: 1200 files, 1000\/~20400 entries, .* files\/s, ETA (\d+m \d\ds|\d+s)\r\x1b\[2Kcustody: evaluating \.\.\.\r\x1b\[2K$/,
    );
  });

  it.each([
    ['stderr is not a terminal', ioWith(false), false],
    ['in CI', ioWith(true, { CI: 'true' }), false],
    ['with --quiet', ioWith(true), true],
  ])('is silent when %s', (_label, io, quiet) => {
    const progress = progressDisplay(io, quiet);
    expect(progress.wantsEstimate).toBe(false);
    progress.onItem?.(tally());
    progress.done();
    expect(io.text()).toBe('');
  });
});
