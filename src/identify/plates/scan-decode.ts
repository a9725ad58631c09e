import { TextDecoder } from 'node:util';
import { textEncoding, type TextEncoding } from '../sniff.js';

/** Raw bytes looked at to choose the encoding (a BOM, or the NUL pattern of UTF-16). */
export const ENCODING_BYTES = 4096;

const ESC = 0x1b;
const BEL = 0x07;
/** An OSC (`ESC ]` ... BEL) longer than this is not one: its bytes are kept as text. */
const MAX_OSC_BYTES = 4096;

const enum Escape {
  None,
  /** After ESC. */
  Start,
  /** Control sequence: `ESC [` parameters, intermediates, one final byte. */
  Csi,
  /** Operating system command: `ESC ]` ... BEL or `ESC \`. */
  Osc,
  OscEsc,
}

/**
 * Turns a text stream into the UTF-8 the plate tokenizer reads, as a terminal or a spreadsheet would
 * show it: UTF-16 (LE or BE, with or without a BOM) is transcoded, and ANSI escape sequences (colours
 * `ESC[31m`, cursor moves, window titles) are removed, so `ESC[1mABC1234ESC[0m` reads `ABC1234`.
 * Plain ASCII/UTF-8 without ESC bytes passes through untouched (one `indexOf` per chunk).
 */
export class TextDecodeFilter {
  readonly encoding: TextEncoding;
  private readonly utf16: TextDecoder | undefined;
  private carry: number | undefined;
  private escape = Escape.None;
  private oscLength = 0;
  private held: number[] = [];

  /** `head`: the stream's first bytes (at least {@link ENCODING_BYTES} when the stream is that long). */
  constructor(head: Uint8Array) {
    const buffer = Buffer.from(head.buffer, head.byteOffset, head.byteLength);
    this.encoding = textEncoding(buffer.subarray(0, ENCODING_BYTES)) ?? 'utf-8';
    // Big-endian input is byte-swapped and decoded as little-endian: TextDecoder's utf-16be needs full ICU.
    if (this.encoding !== 'utf-8') this.utf16 = new TextDecoder('utf-16le');
  }

  /** Decodes one chunk; state (a split code unit or escape sequence) carries to the next. */
  write(chunk: Uint8Array): Uint8Array {
    const text = this.utf16 ? this.transcode(chunk, true) : chunk;
    return this.stripEscapes(text);
  }

  /** Whatever a final partial sequence held back. */
  end(): Uint8Array {
    const tail = this.utf16 ? this.transcode(new Uint8Array(0), false) : new Uint8Array(0);
    const out = this.stripEscapes(tail);
    // An unterminated OSC is not one: give its bytes back.
    if (this.held.length === 0) return out;
    const rest = Buffer.concat([out, Uint8Array.from(this.held)]);
    this.held = [];
    return rest;
  }

  private transcode(chunk: Uint8Array, more: boolean): Uint8Array {
    let bytes = chunk;
    if (this.encoding === 'utf-16be') {
      const joined = this.carry === undefined ? Buffer.from(chunk) : Buffer.concat([Uint8Array.of(this.carry), chunk]);
      const even = joined.length & ~1;
      this.carry = even < joined.length ? joined[even] : undefined;
      bytes = Buffer.from(joined.subarray(0, even)).swap16();
    }
    return Buffer.from(this.utf16!.decode(bytes, { stream: more }), 'utf8');
  }

  private stripEscapes(chunk: Uint8Array): Uint8Array {
    if (this.escape === Escape.None && chunk.indexOf(ESC) < 0) return chunk;
    const out = Buffer.allocUnsafe(chunk.length + this.held.length);
    let n = 0;
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i]!;
      switch (this.escape) {
        case Escape.None:
          if (b === ESC) this.escape = Escape.Start;
          else out[n++] = b;
          break;
        case Escape.Start:
          // ESC [ starts a CSI, ESC ] an OSC; any other byte ends a two-byte escape (ESC 7, ESC M).
          this.escape = b === 0x5b ? Escape.Csi : b === 0x5d ? Escape.Osc : Escape.None;
          this.oscLength = 0;
          break;
        case Escape.Csi:
          if (b >= 0x40 && b <= 0x7e) this.escape = Escape.None;
          else if (b < 0x20 || b > 0x3f) {
            // Not a well-formed sequence (a newline, a byte past ASCII): it ends here, the byte is text.
            this.escape = Escape.None;
            out[n++] = b;
          }
          break;
        case Escape.Osc:
        case Escape.OscEsc:
          if (b === BEL || (this.escape === Escape.OscEsc && b === 0x5c)) {
            this.escape = Escape.None;
            this.held = [];
          } else if (++this.oscLength > MAX_OSC_BYTES) {
            this.escape = Escape.None;
            n = this.flushHeld(out, n);
            out[n++] = b;
          } else {
            this.held.push(b);
            this.escape = b === ESC ? Escape.OscEsc : Escape.Osc;
          }
          break;
      }
    }
    return out.subarray(0, n);
  }

  /** Gives back the bytes of what looked like an OSC but ran too long to be one. */
  private flushHeld(out: Buffer, n: number): number {
    let at = n;
    // The output buffer has room: held bytes came from this chunk or were counted in its allocation.
    for (const b of this.held) out[at++] = b;
    this.held = [];
    return at;
  }
}
