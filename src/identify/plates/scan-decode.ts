import { TextDecoder } from 'node:util';
import type { TextEncoding } from '../../sources/sniff.js';

/** Raw bytes looked at to choose the encoding (a BOM, or the NUL pattern of UTF-16). */
export const ENCODING_BYTES = 4096;

const ESC = 0x1b;
const LEFT_BRACKET = 0x5b;
/** A CSI with more parameter bytes than this is not stripped: its bytes stay text. */
const MAX_CSI_PARAMS = 16;

const isParam = (b: number): boolean => (b >= 0x30 && b <= 0x39) || b === 0x3b;

/**
 * Turns a text stream into the UTF-8 the plate tokenizer reads, as a terminal would show it: UTF-16
 * (LE or BE) is transcoded, and complete colour sequences are removed, so `ESC[1mABC1234ESC[0m` reads
 * `ABC1234`. Only what is surely a control sequence goes: an SGR (`ESC [` digits/semicolons `m`), or
 * another CSI whose parameters are short, non-empty digits/semicolons (`ESC[2K`, `ESC[1;1H`). Any other
 * ESC is kept as a break with the bytes after it as text, so `,ESCQRT4821,` still reads `QRT4821`;
 * an OSC is not removed (a hostile `ESC ] ... BEL` could otherwise hide rows). The plate scan also
 * reads the raw bytes beside this, so decoding can only add plates.
 */
export class TextDecodeFilter {
  private readonly utf16: TextDecoder | undefined;
  private carry: number | undefined;
  /** Bytes of a possible escape sequence not yet decided: ESC, then `[` and parameters. */
  private held: number[] = [];

  constructor(readonly encoding: TextEncoding) {
    // Big-endian input is byte-swapped and decoded as little-endian: TextDecoder's utf-16be needs full ICU.
    if (encoding !== 'utf-8') this.utf16 = new TextDecoder('utf-16le');
  }

  /** Decodes one chunk; state (a split code unit or escape sequence) carries to the next. */
  write(chunk: Uint8Array): Uint8Array {
    const text = this.utf16 ? this.transcode(chunk, true) : chunk;
    return this.stripEscapes(text);
  }

  /** Whatever a final partial sequence held back (an unfinished escape is text). */
  end(): Uint8Array {
    const tail = this.utf16 ? this.transcode(new Uint8Array(0), false) : new Uint8Array(0);
    const out = this.stripEscapes(tail);
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
    if (this.held.length === 0 && chunk.indexOf(ESC) < 0) return chunk;
    // Held bytes are at most 2 + MAX_CSI_PARAMS and are written out at most once.
    const out = Buffer.allocUnsafe(chunk.length + this.held.length);
    let n = 0;
    const held = this.held;
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i]!;
      if (held.length === 0) {
        if (b === ESC) held.push(b);
        else out[n++] = b;
      } else if (held.length === 1) {
        if (b === LEFT_BRACKET) held.push(b);
        else {
          // A bare ESC (or ESC then anything but `[`): ESC stays as a break, the byte is text.
          out[n++] = ESC;
          held.length = 0;
          i--;
        }
      } else if (isParam(b) && held.length < 2 + MAX_CSI_PARAMS) held.push(b);
      else if (b === 0x6d || (b >= 0x40 && b <= 0x7e && held.length > 2)) held.length = 0;
      else {
        // Not a sequence custody is sure of: its bytes are text, and this byte is read afresh.
        for (const h of held) out[n++] = h;
        held.length = 0;
        i--;
      }
    }
    return out.subarray(0, n);
  }
}
