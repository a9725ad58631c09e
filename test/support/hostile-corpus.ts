import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { chmod, link, mkdir, readdir, symlink, truncate, writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { displayName } from '../../src/sources/filesystem.js';
import type { Agency } from '../hostile/support/agency.js';
import { buildTar, buildZip, corruptCentralDirectory, zeroBomb } from '../hostile/support/archives.js';
import { EXTENSION, encode, flipBytes, IMAGE_FORMATS, jpegDeclaring, pngDeclaring, rawPicture } from '../hostile/support/images.js';
import { rng } from './fuzz.js';

/** One hostile entry in the corpus. */
export interface HostileCase {
  /** Location as custody reports it: relative to the root, '/'-separated (invalid UTF-8 bytes escaped). */
  location: string;
  /** Family, for the report table (corrupt-image, symlink, special-file, name, archive, ...). */
  kind: string;
  description: string;
}

/** The generated corpus. */
export interface HostileCorpus {
  root: string;
  /** A directory beside the root: targets of links out of the tree live here. */
  outside: string;
  cases: HostileCase[];
  /** True when running as root: chmod 000 does not stop reads. */
  asRoot: boolean;
}

/** Where the shared third-party corpora live, when present (path.resolve(repo, '..', 'shared')). */
export const SHARED_CORPORA = path.resolve(import.meta.dirname, '..', '..', '..', 'shared', 'corpora');

/** Names that attack terminals, spreadsheets and HTML; each file holds a copy of an agency image. */
export const HOSTILE_NAMES: readonly string[] = [
  'new\nline.jpg',
  'carriage\rreturn.jpg',
  '\u001b[31mred\u001b[0m\u001b]0;pwned\u0007.jpg',
  '\u001b[2J\u001b[Hclear.jpg',
  'bidi-\u202egpj.exe',
  '-rf.jpg',
  '--output=x.jpg',
  '<img src=x onerror=alert(1)>.jpg',
  '"quote\'s & <b>.jpg',
  '=HYPERLINK("evil.example","click").jpg',
  '+cmd|calc.jpg',
  '@SUM(1+1).jpg',
  '-2+3.jpg',
  '\ttab-led.jpg',
];

/** Bytes that are not UTF-8: 0xff 0xfe, an overlong '/', a lone continuation byte. */
const INVALID_UTF8_NAME = Buffer.from([0x62, 0x61, 0x64, 0xff, 0xfe, 0xc0, 0xaf, 0x80, 0x2e, 0x6a, 0x70, 0x67]);

/** Builds the whole corpus under `base/corpus` (and `base/outside`). Nothing large touches the disk. */
export async function buildHostileCorpus(base: string, agency: Agency): Promise<HostileCorpus> {
  const root = path.join(base, 'corpus');
  const outside = path.join(base, 'outside');
  const cases: HostileCase[] = [];
  const add = (location: string, kind: string, description: string) => cases.push({ location, kind, description });
  const put = async (location: string, bytes: Buffer | string, kind: string, description: string) => {
    await mkdir(path.dirname(path.join(root, location)), { recursive: true });
    await writeFile(path.join(root, location), bytes);
    add(location, kind, description);
  };
  await mkdir(root, { recursive: true });
  await mkdir(outside, { recursive: true });
  const agencyImage = agency.images[0]!;
  const r = rng(1234);

  await put('plain/agency-copy.jpg', agencyImage, 'control', 'exact copy of an agency image');
  await images(r, put);
  await put('empty/zero.jpg', '', 'empty', '0-byte file with an image extension');
  await put('empty/zero', '', 'empty', '0-byte file without extension');
  const sparse = 'big/sparse-5g.jpg';
  await put(sparse, agencyImage.subarray(0, 4096), 'sparse', '5 GiB sparse file behind a JPEG head (no disk use)');
  await truncate(path.join(root, sparse), 5 * 1024 ** 3);
  await realSamples(put);
  await links(root, outside, agency, add);
  await specialFiles(root, add);
  await permissions(root, agencyImage, add);
  // At the top level, so a name is the whole location cell (formula starts matter only there).
  for (const name of HOSTILE_NAMES) await put(name, agencyImage, 'name', `hostile name ${JSON.stringify(name)}`);
  await put('hidden\ndir/copy.jpg', agencyImage, 'name', 'agency copy inside a directory whose name holds a newline');
  fs.writeFileSync(Buffer.concat([Buffer.from(`${root}/`), INVALID_UTF8_NAME]), agencyImage);
  add(displayName(INVALID_UTF8_NAME), 'name', 'invalid UTF-8 bytes in the name');
  await records(put, agency);
  await archives(put, agencyImage);
  return { root, outside, cases, asRoot: process.getuid?.() === 0 };
}

type Put = (location: string, bytes: Buffer | string, kind: string, description: string) => Promise<void>;
type Add = (location: string, kind: string, description: string) => void;

async function images(r: ReturnType<typeof rng>, put: Put): Promise<void> {
  const pixels = rawPicture(r, 96, 64);
  for (const format of IMAGE_FORMATS) {
    const ext = EXTENSION[format];
    const valid = await encode(pixels, 96, 64, format);
    await put(`images/${format}-truncated-half.${ext}`, valid.subarray(0, valid.length >> 1), 'corrupt-image', `${format} cut at half its length`);
    await put(`images/${format}-truncated-head.${ext}`, valid.subarray(0, 24), 'corrupt-image', `${format} cut after 24 bytes`);
    await put(`images/${format}-flipped.${ext}`, flipBytes(valid, r, 12), 'corrupt-image', `${format} with 12 flipped bytes`);
    await put(`images/${format}-random.${ext}`, r.bytes(2048), 'random-bytes', `random bytes behind .${ext}`);
  }
  const png = await encode(pixels, 96, 64, 'png');
  const jpeg = await encode(pixels, 96, 64, 'jpeg');
  await put('bombs/png-50000x50000.png', pngDeclaring(png, 50_000, 50_000), 'decompression-bomb', 'PNG IHDR declares 50,000 x 50,000');
  await put('bombs/jpeg-50000x50000.jpg', jpegDeclaring(jpeg, 50_000, 50_000), 'decompression-bomb', 'JPEG SOF declares 50,000 x 50,000');
}

/** A few real corrupt files from /work/shared/corpora, when present. */
async function realSamples(put: Put): Promise<void> {
  if (!fs.existsSync(SHARED_CORPORA)) return;
  const pick = async (dir: string, filter: (name: string) => boolean, count: number) => {
    const full = path.join(SHARED_CORPORA, dir);
    if (!fs.existsSync(full)) return;
    const names = (await readdir(full)).filter(filter).sort().slice(0, count);
    for (const name of names)
      await put(`real/${dir.replaceAll('/', '-')}-${name}`, fs.readFileSync(path.join(full, name)), 'real-corrupt', `shared corpora ${dir}/${name}`);
  };
  await pick('pngsuite/png', (n) => n.startsWith('x'), 14);
  for (const kind of ['jpg', 'png', 'gif', 'tif']) await pick(`imagetestsuite/${kind}`, () => true, 3);
  await pick('debian-extracts/goexif/corrupt', () => true, 3);
  await pick('metadata-extractor-images/fuzzing', (n) => n.endsWith('.fuzzed'), 6);
}

async function links(root: string, outside: string, agency: Agency, add: Add): Promise<void> {
  const dir = path.join(root, 'links');
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(outside, 'secret.jpg'), agency.images[1]!);
  const made: [string, string, string][] = [
    ['self-loop', 'self-loop', 'symlink to itself'],
    ['loop-a', 'loop-b', 'symlink loop a -> b'],
    ['loop-b', 'loop-a', 'symlink loop b -> a'],
    ['up', '..', 'directory symlink to its parent (walk loop)'],
    ['root-dir', '/', 'symlink to /'],
    ['out-file.jpg', path.join(outside, 'secret.jpg'), 'symlink to an agency image outside the root'],
    ['out-etc-passwd', '/etc/passwd', 'symlink to /etc/passwd'],
    ['dangling.jpg', 'does-not-exist.jpg', 'dangling symlink'],
  ];
  for (const [name, target, description] of made) {
    await symlink(target, path.join(dir, name));
    add(`links/${name}`, 'symlink', description);
  }
  await link(path.join(agency.dir, 'lanes', 'lane-2.jpg'), path.join(dir, 'hard-agency.jpg'));
  add('links/hard-agency.jpg', 'hard-link', 'hard link to an agency reference outside the root');
}

async function specialFiles(root: string, add: Add): Promise<void> {
  const dir = path.join(root, 'special');
  await mkdir(dir, { recursive: true });
  execFileSync('mkfifo', [path.join(dir, 'fifo.jpg')]);
  add('special/fifo.jpg', 'special-file', 'FIFO with an image extension (opening it would block)');
  // Node unlinks a unix socket's path on close; a hard link made while bound outlives the server.
  const bound = path.join(dir, 'bound.sock');
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(bound, resolve));
  await link(bound, path.join(dir, 'socket.jpg'));
  await new Promise<void>((resolve) => server.close(() => resolve()));
  add('special/socket.jpg', 'special-file', 'unix socket with an image extension');
}

async function permissions(root: string, agencyImage: Buffer, add: Add): Promise<void> {
  const dir = path.join(root, 'perms');
  await mkdir(path.join(dir, 'locked-dir'), { recursive: true });
  await writeFile(path.join(dir, 'locked-dir', 'inside.jpg'), agencyImage);
  await writeFile(path.join(dir, 'locked.jpg'), agencyImage);
  await chmod(path.join(dir, 'locked.jpg'), 0o000);
  await chmod(path.join(dir, 'locked-dir'), 0o000);
  add('perms/locked.jpg', 'unreadable', 'file with mode 000 (agency copy)');
  add('perms/locked-dir', 'unreadable', 'directory with mode 000 holding an agency copy');
}

/**
 * Builds `root/d/d/.../d/copy.jpg` as deep as 2,000 levels while the path stays under PATH_MAX
 * (4096); returns the depth built. Kept out of the main corpus: every absolute-path syscall under it
 * walks thousands of components, so it gets its own test and timing.
 */
export async function deepDirectory(root: string, content: Buffer): Promise<number> {
  const depth = Math.min(2000, Math.floor((4096 - root.length - 20) / 2));
  const leaf = path.join(root, ...Array.from({ length: depth }, () => 'd'));
  await mkdir(leaf, { recursive: true });
  await writeFile(path.join(leaf, 'copy.jpg'), content);
  return depth;
}

async function records(put: Put, agency: Agency): Promise<void> {
  const log = [
    '2026-11-02T10:00:01Z INFO lane=3 read plate=ABC1234 conf=0.97',
    '2026-11-02T10:00:05Z INFO lane=1 read plate=xyz-9876 conf=0.91',
    '2026-11-02T10:00:09Z WARN lane=2 low confidence plate="KLM 4455"',
  ];
  await put('records/app.log', `${log.join('\n')}\n`, 'plate-record', 'application log with agency plates');
  await put('records/export.csv', agency.plateCsv, 'plate-record', 'copy of the agency plate-read CSV');
}

async function archives(put: Put, agencyImage: Buffer): Promise<void> {
  await put('archives/ok.zip', buildZip([{ name: 'inside/copy.jpg', data: agencyImage }]), 'archive', 'valid zip holding an agency copy');
  const bomb = zeroBomb(64 * 1024 * 1024);
  await put(
    'archives/zip-bomb.zip',
    buildZip(Array.from({ length: 16 }, (_, i) => ({ name: `zeros-${i}.bin`, precompressed: bomb }))),
    'archive',
    'zip bomb: 16 x 64 MiB of zeros (~1 GiB) in ~1 MiB',
  );
  let nested = buildZip([{ name: 'copy.jpg', data: agencyImage }]);
  for (let i = 0; i < 8; i++) nested = buildZip([{ name: `level-${8 - i}.zip`, data: nested }]);
  await put('archives/nested-9.zip', nested, 'archive', 'zip nested 9 deep (past the depth limit) with an agency copy at the bottom');
  const traversal = ['../../escape.jpg', '/etc/absolute.jpg', '..\\..\\windows.jpg', 'a/../../b.jpg', 'ok/\u001b[31mred.jpg'];
  await put('archives/traversal.zip', buildZip(traversal.map((name) => ({ name, data: agencyImage }))), 'archive', 'path-traversal and ANSI member names');
  await put(
    'archives/encrypted.zip',
    buildZip([
      { name: 'secret.jpg', data: agencyImage, encrypted: true },
      { name: 'plain.jpg', data: agencyImage },
    ]),
    'archive',
    'one encrypted entry beside a plain one',
  );
  await put(
    'archives/corrupt-cd.zip',
    corruptCentralDirectory(buildZip([{ name: 'copy.jpg', data: agencyImage, deflate: true }])),
    'archive',
    'corrupt central directory',
  );
  await put(
    'archives/truncated.zip',
    buildZip([{ name: 'copy.jpg', data: agencyImage, deflate: true }]).subarray(0, 300),
    'archive',
    'zip cut short (no central directory)',
  );
  const tar = buildTar([
    { name: 'link-out.jpg', type: '2', linkname: '/etc/passwd' },
    { name: 'link-up.jpg', type: '2', linkname: '../../outside/secret.jpg' },
    { name: 'hard.jpg', type: '1', linkname: 'copy.jpg' },
    { name: 'copy.jpg', data: agencyImage },
  ]);
  await put('archives/links.tar', tar, 'archive', 'tar with symlink and hard-link members');
  await put('archives/truncated.tar', tar.subarray(0, 700), 'archive', 'tar cut inside a member');
}

/**
 * `count` empty files `f0.jpg`..`f<count-1>.jpg` in one directory. touch with xargs creates them
 * thousands per process (about a second for 100,000), where one writeFile per file takes minutes on a
 * busy machine.
 */
export async function manyEmptyFiles(dir: string, count: number): Promise<void> {
  await mkdir(dir, { recursive: true });
  const names = Array.from({ length: count }, (_, i) => `f${i}.jpg`).join('\0');
  execFileSync('xargs', ['-0', 'touch', '--'], { cwd: dir, input: names });
}

/**
 * Removes a temporary tree. chmod 000 directories are unlocked first (they block rm as non-root);
 * GNU rm walks with openat, linear in depth, where fs.rm's absolute paths are quadratic.
 */
export function removeTree(dir: string): void {
  execFileSync('chmod', ['-R', 'u+rwx', dir]);
  execFileSync('rm', ['-rf', '--', dir]);
}
