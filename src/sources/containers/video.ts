import { createWriteStream } from 'node:fs';
import { type FileHandle, mkdtemp, open, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { openReadOnly } from '../../util/open-read-only.js';
import { BufferContent } from '../archives/content.js';
import { coverageEvent, failureCoverage, limitCoverage } from '../archives/errors.js';
import { DEMUXERS, frameName, indexFirst, type SamplingEnd, sampleFrames, VIDEO_LIMITS, type VideoMediaType } from '../archives/video-frames.js';
import { admit, type Level, type Walk } from '../archives/walk.js';
import type { SourceEvent } from '../item.js';
import { isText } from '../text-encoding.js';
import type { ContainerLimit, RandomAccessContainer, RandomAccessInput } from './format.js';
import { ascii, startsWith } from './magic.js';

/**
 * Videos, opened by sampling their frames with Debian's ffmpeg (src/sources/archives/video-frames.ts):
 * each sampled frame is a member named by its time (`clip.mp4!/t=00:01:12`) and goes through every
 * detector like any image. ffmpeg missing is a coverage entry (`missing-tool`) that makes the audit
 * incomplete, never a crash; a video ffmpeg cannot read is `corrupt-archive`.
 */

const LIMITS: readonly ContainerLimit[] = ['maxDepth', 'maxTotalBytes', 'maxEntries', 'maxBufferedArchiveBytes'];
// missing-tool too, but that depends on the machine (is ffmpeg installed), not on the bytes.
const REASONS = ['corrupt-archive'] as const;
const EBML = [0x1a, 0x45, 0xdf, 0xa3];

const video = <const M extends VideoMediaType>(media: M, id: string, magic: (head: Buffer) => boolean): RandomAccessContainer<M> => ({
  id,
  media,
  magic,
  randomAccess: true,
  limits: LIMITS,
  reasons: REASONS,
  open: (input, level, walk) => openVideo(input, media, level, walk),
});

// ISO base media (mp4, and QuickTime with an ftyp) is told by its brand in sniff.ts, before any magic:
// images use the same boxes. The magic here is the same test, for the registry's table.
const isoVideo = (brandIsQuickTime: boolean) => (head: Buffer) => ascii(head, 4, 'ftyp') && (head.toString('latin1', 8, 10) === 'qt') === brandIsQuickTime;

/** The video formats custody opens, in the order their magic is tried. */
export const VIDEO_FORMATS = [
  video('video/mp4', 'mp4', isoVideo(false)),
  // QuickTime files older than ftyp start with a top-level atom.
  video(
    'video/quicktime',
    'mov',
    (h) => isoVideo(true)(h) || (['moov', 'mdat', 'wide', 'free', 'skip', 'pnot'].some((atom) => ascii(h, 4, atom)) && !isText(h)),
  ),
  video('video/webm', 'webm', (h) => startsWith(h, EBML) && h.subarray(0, 64).includes('webm')),
  video('video/x-matroska', 'matroska', (h) => startsWith(h, EBML) && !h.subarray(0, 64).includes('webm')),
  video('video/x-msvideo', 'avi', (h) => ascii(h, 0, 'RIFF') && ascii(h, 8, 'AVI ')),
  video('video/mp2t', 'mpeg-ts', (h) => h.length >= 377 && h[0] === 0x47 && h[188] === 0x47 && h[376] === 0x47),
  video('video/mpeg', 'mpeg-ps', (h) => startsWith(h, [0x00, 0x00, 0x01, 0xba]) || startsWith(h, [0x00, 0x00, 0x01, 0xb3])),
  video('video/x-flv', 'flv', (h) => ascii(h, 0, 'FLV\x01')),
  video('video/x-ms-asf', 'asf', (h) => startsWith(h, [0x30, 0x26, 0xb2, 0x75, 0x8e, 0x66, 0xcf, 0x11])),
] as const satisfies readonly RandomAccessContainer[];

async function* openVideo(input: RandomAccessInput, media: VideoMediaType, level: Level, walk: Walk): AsyncGenerator<SourceEvent> {
  let scratch: string | undefined;
  let handle: FileHandle | undefined;
  try {
    let size: number;
    let read: (offset: number, length: number) => Promise<Buffer>;
    let stream: () => Readable;
    if ('path' in input) {
      try {
        handle = await openReadOnly((flags) => open(input.path, flags), true);
        size = (await handle.stat()).size;
      } catch (error) {
        return yield failureCoverage(level.location, error);
      }
      const file = handle;
      read = async (offset, length) => {
        const { buffer, bytesRead } = await file.read(Buffer.alloc(length), 0, length, offset);
        return buffer.subarray(0, bytesRead);
      };
      // From custody's own descriptor (opened with O_NOATIME): ffmpeg never opens the audited file.
      stream = () => file.createReadStream({ start: 0, autoClose: false });
    } else {
      const { buffer } = input;
      size = buffer.length;
      read = async (offset, length) => buffer.subarray(offset, offset + length);
      stream = () => Readable.from([buffer]);
    }
    let video: { stream: Readable } | { path: string };
    if (DEMUXERS[media] !== 'mov' || (await indexFirst(read, size))) video = { stream: stream() };
    else if (size > VIDEO_LIMITS.copyBytes) {
      return yield coverageEvent({
        location: level.location,
        reason: 'archive-limit',
        detail: `video copy limit (${VIDEO_LIMITS.copyBytes}) exceeded: a ${size}-byte ${media.slice(6)} whose index follows its data would have to be copied to be read`,
        incomplete: true,
      });
    } else {
      // Its index follows its data: ffmpeg must seek, so it reads a private copy outside the tree.
      scratch = await mkdtemp(path.join(os.tmpdir(), 'custody-video-'));
      video = { path: path.join(scratch, 'video') };
      await pipeline(stream(), createWriteStream(video.path, { mode: 0o600 }));
    }
    let ended: SamplingEnd | undefined;
    let count = 0;
    for await (const frame of sampleFrames(video, media, (result) => (ended = result))) {
      if (walk.stopped) return;
      if (++count > walk.options.maxEntries) {
        yield limitCoverage(level.location, 'maxEntries', walk.options.maxEntries, 'further frames are not inspected');
        return;
      }
      const name = frameName(frame.time);
      const refused = admit(walk, `${level.location}!/${name}`, frame.png.length);
      if (refused) return yield refused;
      yield* walk.member(level, { name, size: frame.png.length, content: new BufferContent(frame.png) });
    }
    const end = ended as SamplingEnd | undefined;
    if (!end || (end.ok && !end.truncated)) return;
    if (end.ok) yield coverageEvent({ location: level.location, reason: 'archive-limit', detail: end.detail, incomplete: true });
    else if (end.missing) {
      yield coverageEvent({
        location: level.location,
        reason: 'missing-tool',
        detail: `ffmpeg is not installed: the frames of this ${media.slice(6)} video are not inspected`,
        incomplete: true,
      });
    } else yield coverageEvent({ location: level.location, reason: 'corrupt-archive', detail: end.detail, incomplete: true });
  } finally {
    await handle?.close();
    if (scratch) await rm(scratch, { recursive: true, force: true });
  }
}
