import { run } from '../../src/cli/run.js';
import { bytesOf, captureIo, type TreeFile, writeTree } from './tmp.js';

/** Reference a's bytes, as the small case's references and planted copies hold them. */
export const referenceA = (): Buffer => bytesOf('reference a', 4096);
/** Reference b's bytes. */
export const referenceB = (): Buffer => bytesOf('reference b', 5000);

/** Runs the CLI in-process in `dir`, capturing what it writes. */
export function cliIn(dir: string): (...args: string[]) => Promise<{ exitCode: number; out: string; err: string }> {
  return async (...args) => {
    const io = captureIo(dir);
    const { exitCode } = await run(args, io);
    return { exitCode, out: io.out(), err: io.err() };
  };
}

/**
 * The small agency case several CLI tests share: two references fingerprinted exactly into
 * `agency.fp.json`, and a `share/` with a copy in `enclave/` and one outside it on the desk, plus the
 * files a test adds.
 */
export async function writeSmallCase(dir: string, extra: Record<string, string | Buffer | TreeFile> = {}): Promise<void> {
  await writeTree(dir, {
    'refs/a.bin': referenceA(),
    'refs/b.bin': referenceB(),
    'share/enclave/a.bin': { data: referenceA(), mode: 0o600 },
    'share/desk/copy-of-a.bin': { data: referenceA(), mode: 0o600 },
    ...extra,
  });
  const fingerprint = await cliIn(dir)('fingerprint', 'refs', '--out', 'agency.fp.json', '--no-perceptual');
  if (fingerprint.exitCode !== 0) throw new Error(`fingerprinting the small case failed: ${fingerprint.err}`);
}
