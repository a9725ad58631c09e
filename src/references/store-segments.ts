import { createHash } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import { describeError } from '../util/errors.js';
import { padding, STORE_MAGIC, STORE_VERSION, type StoreFooter, StoreFooterSchema, TRAILER_BYTES } from './store-format.js';

/** One segment of a store: its bytes are `start .. footerOffset`, then its footer and trailer. */
export interface Segment {
  start: number;
  footerOffset: number;
  footerLength: number;
  footer: StoreFooter;
}

/** Refuses a store with a one-line reason (an InputError naming the file). */
export type Refuse = (detail: string) => never;

/**
 * The segments of a store of `size` bytes, first to last, found from the last trailer back through
 * each footer's `previous`. Each trailer, footer checksum and footer schema is checked here; the
 * sections are read and digested afterwards. Only footers and trailers are read (a few KiB each).
 */
export async function segmentsOf(handle: FileHandle, size: number, refuse: Refuse): Promise<Segment[]> {
  const segments: Segment[] = [];
  let end = size;
  for (;;) {
    const trailer = Buffer.alloc(TRAILER_BYTES);
    await readFully(handle, trailer, end - TRAILER_BYTES, refuse);
    const { offset, length } = checkTrailer(trailer, end, refuse);
    const region = Buffer.alloc(end - TRAILER_BYTES - offset);
    await readFully(handle, region, offset, refuse);
    if (!createHash('sha256').update(region).digest().equals(trailer.subarray(16, 48)))
      refuse('fingerprint store footer does not match its checksum (edited or corrupted)');
    const footer = parseFooter(region, length, refuse);
    const previous = footer.previous;
    // The previous segment's trailer ends where this segment starts; offsets only go down, so a
    // crafted `previous` cannot loop.
    const start = previous ? previous.offset + previous.length + padding(previous.length) + TRAILER_BYTES : 0;
    if (previous && (previous.offset % 8 !== 0 || start > offset || start < STORE_MAGIC.length + TRAILER_BYTES))
      refuse(`fingerprint store footer names a previous footer outside the file (at ${previous.offset}, ${previous.length} bytes)`);
    segments.push({ start, footerOffset: offset, footerLength: length, footer });
    if (!previous) break;
    end = start;
  }
  segments.reverse();
  for (let k = 1; k < segments.length; k++) {
    const [before, after] = [segments[k - 1]!.footer, segments[k]!.footer];
    if (after.previous?.length !== segments[k - 1]!.footerLength) refuse(`fingerprint store segment ${k + 1} names a previous footer of the wrong length`);
    for (const table of ['classes', 'media', 'variants'] as const)
      if (before[table].some((name, i) => after[table][i] !== name))
        refuse(`fingerprint store segment ${k + 1} does not extend the ${table} table of the one before`);
  }
  const last = segments[segments.length - 1]!.footer;
  // Every segment's plates were made under the key the last footer names, or the set would mix keys.
  if (segments.some((s) => s.footer.plates && s.footer.plates.keyId !== last.plates?.keyId))
    refuse('fingerprint store segments hold plate digests made under different plate keys');
  return segments;
}

/** The footer's offset and length, once the trailer ending at `end` is found sound. */
function checkTrailer(trailer: Buffer, end: number, refuse: Refuse): { offset: number; length: number } {
  if (!trailer.subarray(48).equals(STORE_MAGIC)) refuse('truncated or damaged fingerprint store: no trailer at its end');
  const version = trailer.readUInt32LE(12);
  if (version > STORE_VERSION) refuse(`fingerprint store format version ${version} is newer than this custody reads (${STORE_VERSION}); use a newer custody`);
  if (version !== STORE_VERSION) refuse(`fingerprint store format version ${version} is not one custody reads (${STORE_VERSION})`);
  const offset = trailer.readBigUInt64LE(0);
  const length = trailer.readUInt32LE(8);
  const footerEnd = BigInt(end - TRAILER_BYTES);
  if (offset < BigInt(STORE_MAGIC.length) || offset % 8n !== 0n || offset + BigInt(length + padding(length)) !== footerEnd)
    refuse(`fingerprint store trailer points outside the file (footer at ${offset}, ${length} bytes; trailer ending at ${end})`);
  return { offset: Number(offset), length };
}

function parseFooter(region: Buffer, length: number, refuse: Refuse): StoreFooter {
  if (region.subarray(length).some((b) => b !== 0)) refuse('fingerprint store footer padding is not zero (damaged)');
  let data: unknown;
  try {
    data = JSON.parse(region.subarray(0, length).toString('utf8'));
  } catch (error) {
    return refuse(`fingerprint store footer is not valid JSON: ${describeError(error)}`);
  }
  const parsed = StoreFooterSchema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const where = issue.path.length > 0 ? `${issue.path.map(String).join('.')}: ` : '';
    return refuse(`fingerprint store footer is not valid: ${where}${issue.message}`);
  }
  return parsed.data;
}

/** Fills `into` from `position`; a file that ends first is refused. */
export async function readFully(handle: FileHandle, into: Uint8Array, position: number, refuse: Refuse): Promise<void> {
  for (let done = 0; done < into.length; ) {
    const { bytesRead } = await handle.read(into, done, into.length - done, position + done);
    if (bytesRead === 0) refuse('fingerprint store was truncated while it was read');
    done += bytesRead;
  }
}
