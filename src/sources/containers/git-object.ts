import { Duplex, pipeline, Transform, type TransformCallback } from 'node:stream';
import { constants, createInflate, inflateSync } from 'node:zlib';
import { expandCompressed, type StreamCodec } from '../archives/compressed.js';
import type { StreamContainer } from './format.js';

/**
 * A loose git object's header: `<type> <size>\0` before the object's bytes, all zlib-compressed.
 * The size is at most 20 digits (git writes it in decimal; 2^64 has 20).
 */
const HEADER = /^(blob|tree|commit|tag) (\d{1,20})\0/;

/** Bytes of the decoded head the sniff looks at: the longest header is `commit ` + 20 digits + NUL. */
const HEADER_BYTES = 28;

/**
 * Whether `head` is a zlib stream (RFC 1950: deflate, a 32 KiB window at most, the check bits right,
 * no preset dictionary) whose first decoded bytes are a git object header. A zlib header alone is
 * two bytes, one file in a few hundred starts with one; the decoded header makes it certain.
 */
function looksLikeLooseObject(head: Buffer): boolean {
  if (head.length < 2 || (head[0]! & 0x0f) !== 8 || head[0]! >> 4 > 7 || (head[1]! & 0x20) !== 0) return false;
  if (((head[0]! << 8) | head[1]!) % 31 !== 0) return false;
  try {
    // A sync flush decodes what the head holds without wanting the rest of the stream. Deflate
    // expands at most ~1032:1, so the sniff's head (512 bytes, or a deep head) decodes to a bounded size.
    const decoded = inflateSync(head, { finishFlush: constants.Z_SYNC_FLUSH, maxOutputLength: head.length * 1100 });
    return HEADER.test(decoded.toString('latin1', 0, HEADER_BYTES));
  } catch {
    return false;
  }
}

/**
 * Drops the object header from the decoded bytes, so that the member is the object's content as git
 * would check it out (a blob that is a tar or a JPEG is then walked or identified as one). A stream
 * that does not start with a header, or whose header says a size the content does not have, is corrupt.
 */
class StripHeader extends Transform {
  private pending: Buffer | undefined = Buffer.alloc(0);
  private declared = 0;
  private seen = 0;

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    if (this.pending === undefined) return this.pass(chunk, done);
    const head = Buffer.concat([this.pending, chunk]);
    const nul = head.indexOf(0);
    if (nul < 0) {
      if (head.length > HEADER_BYTES) return done(new Error('git object: no header'));
      this.pending = head;
      return done();
    }
    const match = HEADER.exec(head.toString('latin1', 0, nul + 1));
    if (!match) return done(new Error('git object: no header'));
    this.pending = undefined;
    this.declared = Number(match[2]);
    this.pass(head.subarray(nul + 1), done);
  }

  override _flush(done: TransformCallback): void {
    if (this.pending !== undefined) return done(new Error('git object: truncated before its header ends'));
    if (this.seen !== this.declared) return done(new Error(`git object: header says ${this.declared} bytes, stream holds ${this.seen}`));
    done();
  }

  private pass(data: Buffer, done: TransformCallback): void {
    this.seen += data.length;
    if (this.seen > this.declared) return done(new Error(`git object: more bytes than the ${this.declared} its header says`));
    done(null, data);
  }
}

const GIT_OBJECT: StreamCodec = {
  id: 'git object',
  decoder: () => {
    const inflate = createInflate();
    const strip = new StripHeader();
    // pipeline carries an error of either stage to both, so the duplex's reader sees it.
    pipeline(inflate, strip, () => undefined);
    return Duplex.from({ writable: inflate, readable: strip });
  },
  headBytes: 0,
  // The object's path already names it (`.git/objects/ab/cd…`); its one member is what it stores.
  memberName: () => 'object',
};

/**
 * A loose git object (`.git/objects/ab/cdef…`) met as a file outside a repository custody audits
 * through git: in an archive of a repository, or an object store copied on its own. Its content is
 * one member (`…/objects/ab/cdef…!/object`): a blob's bytes, or a commit's or tag's text (scanned
 * for plates like any text). Git directories met by the walk are audited through their history
 * instead (src/sources/git-walk.ts), and their object files are not walked as files.
 */
export const gitObjectFormat: StreamContainer<'application/x-git-loose-object'> = {
  id: 'git-object',
  media: 'application/x-git-loose-object',
  magic: looksLikeLooseObject,
  randomAccess: false,
  limits: ['maxDepth', 'maxTotalBytes', 'maxEntries', 'maxCompressionRatio', 'ratioCheckMinBytes', 'maxMemberBufferBytes'],
  reasons: ['corrupt-archive', 'link-member', 'special-file'],
  open: (content, level, walk) => expandCompressed(GIT_OBJECT, content, level, walk),
};
