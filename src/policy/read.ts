import { describeError, errorCode, PolicyError, type Problem } from '../util/errors.js';
import { InputFileError, readInputFile } from '../util/input-file.js';

/**
 * Largest policy custody reads, from a file or stdin. A real policy is a few KiB; the cap keeps a
 * mistaken `--policy` (a disk image, a log) from being read into memory whole.
 */
export const MAX_POLICY_BYTES = 1024 * 1024;

const mib = (bytes: number) => `${bytes / (1024 * 1024)} MiB`;
const cannotRead = (file: string, why: string) => new PolicyError([{ file, message: `cannot read policy: ${why}` }]);

/**
 * Reads a policy file's bytes without ever blocking on it (util/input-file.ts): refused unless it is
 * a regular file, so a FIFO, a terminal or `/dev/zero` given as `--policy` gives one line instead of
 * a hang (stdin, `--policy -`, is the way to pipe a policy).
 */
export async function readPolicyFile(file: string, shownAs: string): Promise<Buffer> {
  try {
    return await readInputFile(file, MAX_POLICY_BYTES);
  } catch (error) {
    if (!(error instanceof InputFileError)) throw error;
    const refused = error.refused;
    if (refused && 'tooLarge' in refused) throw cannotRead(shownAs, `larger than ${mib(MAX_POLICY_BYTES)}`);
    if (refused) throw cannotRead(shownAs, `not a regular file (${article(refused.kind)}); to pipe a policy, use --policy -`);
    throw cannotRead(shownAs, error.message);
  }
}

/** Reads a policy from a stream (stdin), refusing more than MAX_POLICY_BYTES. */
export async function readPolicyStream(stream: AsyncIterable<Uint8Array | string>, shownAs: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let length = 0;
  try {
    for await (const chunk of stream) {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : Buffer.from(chunk);
      length += bytes.length;
      if (length > MAX_POLICY_BYTES) throw cannotRead(shownAs, `larger than ${mib(MAX_POLICY_BYTES)}`);
      chunks.push(bytes);
    }
  } catch (error) {
    if (error instanceof PolicyError) throw error;
    throw cannotRead(shownAs, errorCode(error) ?? describeError(error));
  }
  return Buffer.concat(chunks, length);
}

/**
 * Decodes policy bytes as UTF-8, refusing invalid UTF-8 (a Latin-1 `é` from an old editor) at its
 * line:column: decoded leniently it would become U+FFFD and a marker holding it would silently never
 * match. A leading byte-order mark is dropped.
 */
export function decodePolicy(bytes: Uint8Array, file: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new PolicyError([invalidUtf8At(bytes, file)]);
  }
}

function invalidUtf8At(bytes: Uint8Array, file: string): Problem {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // Valid UTF-8 re-encodes to itself and a bad sequence becomes EF BF BD, so the first byte where
  // the lenient round trip differs starts the bad sequence, or is just after it when that sequence
  // began like U+FFFD does (EF, or EF BF): EF is never a continuation byte, so it starts it.
  const roundTrip = Buffer.from(buffer.toString('utf8'), 'utf8');
  let offset = 0;
  while (offset < buffer.length && buffer[offset] === roundTrip[offset]) offset++;
  if (offset >= 2 && buffer[offset - 2] === 0xef && buffer[offset - 1] === 0xbf) offset -= 2;
  else if (offset >= 1 && buffer[offset - 1] === 0xef) offset -= 1;
  const lineStart = offset === 0 ? 0 : buffer.lastIndexOf(0x0a, offset - 1) + 1;
  const line = countNewlines(buffer, offset) + 1;
  const col = buffer.toString('utf8', lineStart, offset).replace(/^\uFEFF/, '').length + 1;
  return { file, line, col, message: `invalid UTF-8 (byte 0x${buffer[offset]!.toString(16).padStart(2, '0')}): save the policy as UTF-8` };
}

function countNewlines(buffer: Buffer, end: number): number {
  let count = 0;
  for (let index = buffer.indexOf(0x0a); index !== -1 && index < end; index = buffer.indexOf(0x0a, index + 1)) count++;
  return count;
}

/** `a FIFO`, `a directory`; `not a file` for anything without a kind. */
const article = (kind: string | undefined): string => (kind ? `a ${kind}` : 'not a file');
