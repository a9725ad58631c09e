import { type ChildProcessByStdio, spawn } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';

/**
 * Frames sampled from a video by Debian's ffmpeg, as PNG images with their presentation times.
 *
 * Which frames: near-duplicates of the frame before are dropped first (`mpdecimate`: a still shown
 * for a minute is one frame, not sixty), then the first frame, one a second, and every scene change
 * are kept. A slideshow of agency stills thus yields each still once; camera footage yields about
 * one frame a second. Frames are scaled so the long side is at most 1024 px (the audit's decoder
 * takes them to 512 as it does any image), and written to a pipe: nothing touches the disk.
 *
 * The input is hostile, so ffmpeg is held to reading one input as the demuxer its magic named: its
 * bytes on a pipe, or a private temp copy (no protocol but `pipe` or `file`), no external data
 * references (QuickTime `dref`), no config. It never opens a file of the audited tree itself: a
 * second open would not carry custody's O_NOATIME, and reading would change the file's access time.
 */

/** Bounds on one video (README "Limits"). */
export const VIDEO_LIMITS = {
  /** Frames yielded per video, at most. */
  frames: 600,
  /** Wall time for one video's sampling; past it ffmpeg is stopped and the video is incomplete. */
  seconds: 300,
  /**
   * Largest QuickTime/mp4 copied to a private temp file because its index (moov) comes after its
   * data and ffmpeg must seek back to it (phone videos): every other video is streamed to ffmpeg.
   */
  copyBytes: 4 * 1024 ** 3,
} as const;

/** The ffmpeg demuxer for each video media type custody opens (never ffmpeg's own guess). */
export const DEMUXERS = {
  'video/mp4': 'mov',
  'video/quicktime': 'mov',
  'video/webm': 'matroska',
  'video/x-matroska': 'matroska',
  'video/x-msvideo': 'avi',
  'video/mp2t': 'mpegts',
  'video/mpeg': 'mpeg',
  'video/x-flv': 'flv',
  'video/x-ms-asf': 'asf',
} as const;

export type VideoMediaType = keyof typeof DEMUXERS;

/** One sampled frame. */
export interface Frame {
  /** Seconds from the start (the frame's presentation time). */
  time: number;
  png: Buffer;
}

/** How a sampling ended: all frames given, or why not. */
export type SamplingEnd = { ok: true; truncated: false } | { ok: true; truncated: true; detail: string } | { ok: false; missing: boolean; detail: string };

/** The ffmpeg binary: CUSTODY_FFMPEG, or `ffmpeg` on PATH. */
export const ffmpegBinary = (): string => process.env.CUSTODY_FFMPEG || 'ffmpeg';

const FILTER = [
  'mpdecimate',
  "select='isnan(prev_selected_t)+gte(t-prev_selected_t\\,1)+gt(scene\\,0.3)'",
  "scale='if(gt(iw\\,ih)\\,min(1024\\,iw)\\,-2)':'if(gt(iw\\,ih)\\,-2\\,min(1024\\,ih))'",
  'showinfo',
].join(',');

/**
 * Samples frames of a video, its bytes given as a stream (piped to ffmpeg's stdin) or as a private
 * file. Frames are handed over one at a time: the next is not read from ffmpeg until the consumer
 * asks, so memory holds one frame.
 */
export async function* sampleFrames(
  input: { stream: Readable } | { path: string },
  media: VideoMediaType,
  end: (result: SamplingEnd) => void,
): AsyncGenerator<Frame> {
  const maxFrames = VIDEO_LIMITS.frames;
  const piped = 'stream' in input;
  const args = ['-hide_banner', '-nostats', '-loglevel', 'info', '-protocol_whitelist', piped ? 'pipe' : 'file', '-f', DEMUXERS[media]];
  if (DEMUXERS[media] === 'mov') args.push('-enable_drefs', '0');
  args.push(
    '-i',
    piped ? 'pipe:0' : `file:${input.path}`,
    '-map',
    '0:v:0',
    '-an',
    '-sn',
    '-dn',
    '-vf',
    FILTER,
    '-fps_mode',
    'vfr',
    '-frames:v',
    String(maxFrames),
  );
  args.push('-f', 'image2pipe', '-c:v', 'png', 'pipe:1');
  const child = spawn(ffmpegBinary(), args, {
    stdio: [piped ? 'pipe' : 'ignore', 'pipe', 'pipe'],
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
  }) as ChildProcessByStdio<Writable | null, Readable, Readable>;
  if (piped && child.stdin) {
    // ffmpeg stops reading once it has its frames (or gives up): the rest of the stream is not wanted.
    child.stdin.on('error', () => undefined);
    input.stream.on('error', () => child.stdin?.destroy());
    input.stream.pipe(child.stdin);
  }
  const times: number[] = [];
  let errors = '';
  let spawnError: NodeJS.ErrnoException | undefined;
  let timedOut = false;
  child.on('error', (error) => (spawnError = error));
  child.stderr.setEncoding('latin1');
  let pending = '';
  child.stderr.on('data', (text: string) => {
    pending += text;
    // Progress lines end in a carriage return, not a newline.
    const lines = pending.split(/\r\n|\r|\n/);
    pending = lines.pop() ?? '';
    for (const line of lines) {
      // Only showinfo's own lines: the file's metadata (a title) is printed to stderr too.
      const time = /^\[Parsed_showinfo_\d+ @ 0x[0-9a-f]+\] n: *\d+ .*\bpts_time:(-?[\d.]+)/.exec(line);
      if (time) times.push(Number(time[1]));
      // Only what ffmpeg says went wrong is kept (bounded), for the coverage detail.
      else if (!/^\s|^\[Parsed_showinfo|^(Input|Output|Stream|Press|frame=)/.test(line) && errors.length < 4096) errors += `${line}\n`;
    }
  });
  // A binary that cannot be started emits 'error' and may never emit 'close'.
  const exited = new Promise<number | null>((resolve) => {
    child.on('close', (code) => resolve(code));
    child.on('error', () => resolve(null));
  });
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, VIDEO_LIMITS.seconds * 1000);
  let given = 0;
  try {
    for await (const png of pngStream(child.stdout)) {
      // showinfo logs a frame before it is encoded; stderr may still lag the pipe by a chunk.
      while (times.length <= given && child.exitCode === null && !spawnError) await new Promise((resolve) => setTimeout(resolve, 5));
      yield { time: times[given] ?? Number.NaN, png };
      given++;
    }
    const code = await exited;
    if (spawnError) end({ ok: false, missing: spawnError.code === 'ENOENT', detail: `ffmpeg could not be run (${spawnError.code ?? spawnError.message})` });
    else if (timedOut) end({ ok: true, truncated: true, detail: `video time limit (${VIDEO_LIMITS.seconds} s) reached after ${given} frames` });
    // No video stream (an audio-only .m4a): nothing to sample, and nothing left unseen.
    else if (code !== 0 && given === 0 && /matches no streams/.test(errors)) end({ ok: true, truncated: false });
    else if (code !== 0) end({ ok: false, missing: false, detail: `ffmpeg: ${lastError(errors) || `exit code ${code}`}` });
    else if (given >= maxFrames) end({ ok: true, truncated: true, detail: `video frame limit (${maxFrames}) reached` });
    else end({ ok: true, truncated: false });
  } finally {
    clearTimeout(timer);
    if (child.exitCode === null) child.kill('SIGKILL');
    if ('stream' in input) input.stream.destroy();
  }
}

/** The last line ffmpeg printed as an error, without its `[demuxer @ 0x...]` prefix. */
function lastError(text: string): string {
  const lines = text
    .split('\n')
    .map((line) => line.replace(/^\[[^\]]*@ 0x[0-9a-f]+\]\s*/, '').trim())
    .filter((line) => line.length > 0);
  return (lines.at(-1) ?? '').slice(0, 200);
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Splits a stream of concatenated PNG files at each IEND chunk. */
export async function* pngStream(input: Readable): AsyncGenerator<Buffer> {
  let buffer: Buffer = Buffer.alloc(0);
  let at = PNG_SIGNATURE.length;
  for await (const chunk of input as AsyncIterable<Buffer>) {
    buffer = buffer.length === 0 ? chunk : Buffer.concat([buffer, chunk]);
    while (buffer.length >= at + 8) {
      if (at === PNG_SIGNATURE.length && !buffer.subarray(0, at).equals(PNG_SIGNATURE)) throw new Error('ffmpeg wrote something that is not a PNG');
      const length = buffer.readUInt32BE(at);
      const next = at + 12 + length;
      if (buffer.length < next) break;
      const type = buffer.toString('latin1', at + 4, at + 8);
      at = next;
      if (type === 'IEND') {
        yield buffer.subarray(0, at);
        buffer = buffer.subarray(at);
        at = PNG_SIGNATURE.length;
      }
    }
  }
}

/** `t=00:01:12`, or `t=00:01:12.480` for a frame between whole seconds: a frame's member name. */
export function frameName(time: number): string {
  if (!Number.isFinite(time) || time < 0) return 't=unknown';
  const ms = Math.round(time * 1000);
  const pad = (n: number, width = 2): string => String(n).padStart(width, '0');
  const whole = `${pad(Math.floor(ms / 3_600_000))}:${pad(Math.floor(ms / 60_000) % 60)}:${pad(Math.floor(ms / 1000) % 60)}`;
  return ms % 1000 === 0 ? `t=${whole}` : `t=${whole}.${pad(ms % 1000, 3)}`;
}

/**
 * True when an ISO media file's index (moov) comes before its media data (mdat), so ffmpeg can read
 * it from a pipe; false when it must seek back for the index (or the boxes do not say).
 */
export async function indexFirst(read: (offset: number, length: number) => Promise<Buffer>, size: number): Promise<boolean> {
  let offset = 0;
  for (let boxes = 0; boxes < 64 && offset + 8 <= size; boxes++) {
    const header = await read(offset, 16);
    if (header.length < 8) return false;
    const type = header.toString('latin1', 4, 8);
    if (type === 'moov') return true;
    if (type === 'mdat') return false;
    let length = header.readUInt32BE(0);
    if (length === 1 && header.length >= 16) length = Number(header.readBigUInt64BE(8));
    if (length < 8) return false;
    offset += length;
  }
  return false;
}
