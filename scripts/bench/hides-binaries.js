// @ts-check
/**
 * The hiding-places bench's binary kinds: SQLite (BLOB pictures, TEXT plates; sql.js), Parquet
 * (SNAPPY and uncompressed; hyparquet-writer), 7z (LZMA2 and stored; Debian 7zz), .tar.xz,
 * .tar.bz2, .tar.zst and single .xz/.bz2/.zst (Debian xz, bzip2, zstd), video made from agency
 * frames (H.264 MP4 and MJPEG MOV; ffmpeg), HEIC (heif-enc) and git history (pictures and plate
 * files committed, then deleted or overwritten; in a pack and as loose objects). Every kind also
 * gets negatives. A tool that is absent stops generation with its name: the table would otherwise
 * hide a kind it never planted.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parquetWriteBuffer } from 'hyparquet-writer';
import initSqlJs from 'sql.js';

/** @typedef {import('./hides-plant.js').Plant} Plant */
/** @typedef {import('./hides-plant.js').Ref} Ref */

/** @param {string} tool @param {string[]} args @param {string} [cwd] */
function run(tool, args, cwd) {
  try {
    execFileSync(tool, args, { cwd, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1' } });
  } catch (error) {
    const e = /** @type {NodeJS.ErrnoException & { stderr?: Buffer }} */ (error);
    throw new Error(e.code === 'ENOENT' ? `${tool} is not installed: the bench needs it to plant its kind` : `${tool} ${args.join(' ')} failed: ${e.stderr?.toString().trim()}`);
  }
}

/** @param {Plant} plant */
export async function plantBinaries(plant) {
  await plantTables(plant);
  await plantArchives(plant);
  await plantMedia(plant);
  await plantGit(plant);
}

/** @param {Plant} plant */
async function plantTables(plant) {
  const SQL = await initSqlJs();
  for (const negative of [false, true]) {
    const pick = negative ? plant.other : plant.agency;
    const tag = negative ? 'neg' : 'pos';
    for (let i = 0; i < (negative ? 1 : 3); i++) {
      const images = pick(2);
      const plates = negative ? [] : plant.agencyPlates(40);
      const rows = [...plates, ...plant.otherPlates(negative ? 80 : 40)];
      const db = new SQL.Database();
      db.run('CREATE TABLE captures (id INTEGER PRIMARY KEY, lane INTEGER, seen_at TEXT, image BLOB)');
      db.run('CREATE TABLE reads (id INTEGER PRIMARY KEY, plate TEXT, camera TEXT, seen_at TEXT)');
      for (const [j, r] of images.entries()) db.run('INSERT INTO captures (lane, seen_at, image) VALUES (?, ?, ?)', [j + 1, '2026-10-02T10:00:00Z', r.bytes]);
      for (const [j, p] of rows.entries()) db.run('INSERT INTO reads (plate, camera, seen_at) VALUES (?, ?, ?)', [p, `L${j % 4}-C0${j % 7}`, `2026-10-${String((j % 28) + 1).padStart(2, '0')}T08:00:00Z`]);
      const bytes = Buffer.from(db.export());
      db.close();
      await plant.put('SQLite (BLOB, TEXT)', 'SQLite', `db/app-${tag}-${i}.sqlite`, bytes, { images, plates: plates.length, negative });
    }
    // A larger table (5,000 rows: interior b-tree pages, overflow of none), the agency plates scattered.
    const bigPlates = negative ? [] : plant.agencyPlates(100);
    const bigRows = [...plant.otherPlates(negative ? 5000 : 4900)];
    for (const [j, p] of bigPlates.entries()) bigRows.splice((j * 4919) % bigRows.length, 0, p);
    const big = new SQL.Database();
    big.run('CREATE TABLE reads (id INTEGER PRIMARY KEY, seen_at TEXT, camera TEXT, plate TEXT, confidence REAL)');
    big.run('BEGIN');
    for (const [j, p] of bigRows.entries()) big.run('INSERT INTO reads (seen_at, camera, plate, confidence) VALUES (?, ?, ?, ?)', [`2026-10-${String((j % 28) + 1).padStart(2, '0')}T08:00:00Z`, `L${j % 4}-C0${j % 7}`, p, 0.8 + (j % 19) / 100]);
    big.run('COMMIT');
    await plant.put('SQLite, 5,000 rows', 'SQLite', `db/reads-${tag}.sqlite`, Buffer.from(big.export()), { plates: bigPlates.length, negative });
    big.close();
    // The plate split into two columns (series + serial), as registry extracts hold it.
    const halves = (/** @type {string} */ p) => [p.slice(0, 3), p.slice(3)];
    const splitPlates = negative ? [] : plant.agencyPlates(40);
    const splitRows = [...splitPlates, ...plant.otherPlates(negative ? 80 : 40)];
    const db = new SQL.Database();
    db.run('CREATE TABLE vehicles (id INTEGER PRIMARY KEY, plate_series TEXT, plate_serial TEXT, make TEXT)');
    for (const p of splitRows) db.run('INSERT INTO vehicles (plate_series, plate_serial, make) VALUES (?, ?, ?)', [...halves(p), 'sedan']);
    await plant.put('SQLite split plate columns', 'SQLite', `db/registry-${tag}.sqlite`, Buffer.from(db.export()), { plates: splitPlates.length, negative });
    db.close();
    const pqSplit = negative ? [] : plant.agencyPlates(40);
    const pqRows = [...pqSplit, ...plant.otherPlates(negative ? 80 : 40)].sort();
    const pqColumns = [
      { name: 'plate_series', data: pqRows.map((p) => halves(p)[0]), type: /** @type {const} */ ('STRING') },
      { name: 'plate_serial', data: pqRows.map((p) => halves(p)[1]), type: /** @type {const} */ ('STRING') },
    ];
    await plant.put('Parquet split plate columns', 'Parquet', `lake/registry-${tag}.parquet`, Buffer.from(parquetWriteBuffer({ columnData: pqColumns, codec: 'SNAPPY' })), { plates: pqSplit.length, negative });
    for (const codec of /** @type {const} */ (['SNAPPY', 'UNCOMPRESSED'])) {
      for (let i = 0; i < (negative ? 1 : 2); i++) {
        const plates = negative ? [] : plant.agencyPlates(40);
        const column = [...plates, ...plant.otherPlates(negative ? 200 : 160)].sort();
        const columnData = [
          { name: 'plate', data: column, type: /** @type {const} */ ('STRING') },
          { name: 'camera', data: column.map((_, j) => `L${j % 4}-C0${j % 7}`), type: /** @type {const} */ ('STRING') },
          { name: 'seen_at', data: column.map((_, j) => BigInt(1_790_000_000_000 + j * 61_000)), type: /** @type {const} */ ('INT64') },
        ];
        const bytes = Buffer.from(parquetWriteBuffer({ columnData, codec, rowGroupSize: 64 }));
        await plant.put(`Parquet ${codec}`, 'Parquet', `lake/reads-${codec.toLowerCase()}-${tag}-${i}.parquet`, bytes, { plates: plates.length, negative });
      }
    }
  }
}

/** @param {Plant} plant */
async function plantArchives(plant) {
  const stage = path.join(plant.tmp, 'stage');
  /** Writes the pictures into an empty stage folder, as a contractor's export would hold them. @param {Ref[]} refs */
  const staged = async (refs) => {
    await rm(stage, { recursive: true, force: true });
    await mkdir(path.join(stage, 'export'), { recursive: true });
    const names = refs.map((_, j) => `export/capture-${j}.jpg`);
    for (const [j, r] of refs.entries()) await writeFile(path.join(stage, /** @type {string} */ (names[j])), r.bytes);
    await writeFile(path.join(stage, 'export/README.txt'), 'capture export\n');
    return ['export'];
  };
  const tar = async (/** @type {string} */ out, /** @type {Ref[]} */ refs) => {
    const members = await staged(refs);
    run('tar', ['--sort=name', '--mtime=2026-10-02 00:00Z', '--owner=0', '--group=0', '-cf', out, ...members], stage);
  };
  /** @type {[string, string, (out: string, refs: Ref[]) => Promise<void>][]} kind, extension, builder */
  const kinds = [
    ['7z LZMA2', '7z', async (out, refs) => run('7zz', ['a', '-bd', '-m0=lzma2', '-mx5', out, ...(await staged(refs))], stage)],
    ['7z stored', '7z', async (out, refs) => run('7zz', ['a', '-bd', '-mx0', out, ...(await staged(refs))], stage)],
    ['tar.xz', 'tar.xz', async (out, refs) => (await tar(`${out}.tar`, refs), run('sh', ['-c', `xz -z -c "${out}.tar" > "${out}" && rm "${out}.tar"`]))],
    ['tar.bz2', 'tar.bz2', async (out, refs) => (await tar(`${out}.tar`, refs), run('sh', ['-c', `bzip2 -z -c "${out}.tar" > "${out}" && rm "${out}.tar"`]))],
    ['tar.zst', 'tar.zst', async (out, refs) => (await tar(`${out}.tar`, refs), run('sh', ['-c', `zstd -q -c "${out}.tar" > "${out}" && rm "${out}.tar"`]))],
    ['single .xz', 'jpg.xz', async (out, refs) => (await staged(refs), run('sh', ['-c', `xz -z -c export/capture-0.jpg > "${out}"`], stage))],
    ['single .bz2', 'jpg.bz2', async (out, refs) => (await staged(refs), run('sh', ['-c', `bzip2 -z -c export/capture-0.jpg > "${out}"`], stage))],
    ['single .zst', 'jpg.zst', async (out, refs) => (await staged(refs), run('sh', ['-c', `zstd -q -c export/capture-0.jpg > "${out}"`], stage))],
  ];
  for (const negative of [false, true]) {
    const pick = negative ? plant.other : plant.agency;
    const tag = negative ? 'neg' : 'pos';
    // Encrypted names and contents (-mhe): nothing can be read without the password.
    const sealed = pick(2);
    const sealedRel = `archives/7z-encrypted-${tag}.7z`;
    run('7zz', ['a', '-bd', '-psecret', '-mhe=on', path.join(plant.share, sealedRel), ...(await staged(sealed))], stage);
    plant.record('7z encrypted', 'compressed archives', sealedRel, { images: sealed, negative, expect: 'coverage' });
    // Nesting as mail carries it: an .eml whose attachment is a .7z holding a .tar.zst of pictures.
    for (let i = 0; i < (negative ? 1 : 2); i++) {
      const nested = pick(2);
      const inner = path.join(plant.tmp, 'inner.tar.zst');
      await tar(`${inner}.tar`, nested);
      run('sh', ['-c', `zstd -q -c "${inner}.tar" > "${inner}" && rm "${inner}.tar"`]);
      const outer = path.join(plant.tmp, 'bundle.7z');
      await rm(outer, { force: true });
      run('7zz', ['a', '-bd', outer, inner]);
      const b64 = (await readFile(outer)).toString('base64').replace(/(.{76})/g, '$1\r\n');
      const eml = `From: ops@contractor.example\r\nTo: analyst@contractor.example\r\nSubject: bundle ${i}\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="n${i}"\r\n\r\n--n${i}\r\nContent-Type: text/plain\r\n\r\nbundle attached\r\n--n${i}\r\nContent-Type: application/x-7z-compressed\r\nContent-Transfer-Encoding: base64\r\nContent-Disposition: attachment; filename="bundle.7z"\r\n\r\n${b64}\r\n--n${i}--\r\n`;
      await plant.put('nested: .eml > .7z > .tar.zst', 'compressed archives', `mail/bundle-${tag}-${i}.eml`, eml, { images: nested, negative });
    }
    for (const [kind, ext, build] of kinds) {
      for (let i = 0; i < (negative ? 1 : 2); i++) {
        const refs = pick(kind.startsWith('single') ? 1 : 2);
        const rel = `archives/${kind.replace(/\W+/g, '-').replace(/^-|-$/g, '')}-${tag}-${i}.${ext}`;
        await mkdir(path.dirname(path.join(plant.share, rel)), { recursive: true });
        await build(path.join(plant.share, rel), refs);
        plant.record(kind, 'compressed archives', rel, { images: refs, negative });
      }
    }
  }
}

/** @param {Plant} plant */
async function plantMedia(plant) {
  const frames = path.join(plant.tmp, 'frames');
  for (const negative of [false, true]) {
    const pick = negative ? plant.other : plant.agency;
    const tag = negative ? 'neg' : 'pos';
    const videos = /** @type {const} */ ([
      ['video H.264 MP4', 'mp4', ['-c:v', 'libx264', '-pix_fmt', 'yuv420p']],
      ['video MJPEG MOV', 'mov', ['-c:v', 'mjpeg', '-q:v', '3', '-pix_fmt', 'yuvj420p']],
      // What a phone or a sharing tool makes of it: HEVC, and H.264 scaled down to 640x360.
      ['video HEVC MP4', 'hevc.mp4', ['-c:v', 'libx265', '-x265-params', 'log-level=error', '-pix_fmt', 'yuv420p', '-tag:v', 'hvc1']],
      ['video H.264 640x360', 'small.mp4', ['-vf', 'scale=640:360', '-c:v', 'libx264', '-crf', '28', '-pix_fmt', 'yuv420p']],
      // Letterboxed into a 4:3 frame, as a clip re-cut for another screen.
      ['video H.264 letterboxed 4:3', 'boxed.mp4', ['-vf', 'scale=960:540,pad=960:720:0:90', '-c:v', 'libx264', '-pix_fmt', 'yuv420p']],
    ]);
    for (const [kind, ext, codec] of videos) {
      for (let i = 0; i < (negative ? 1 : 2); i++) {
        // Vehicle captures only: they share one size, so the frames are the pictures, unpadded.
        const refs = pick(2, 'vehicles');
        await rm(frames, { recursive: true, force: true });
        await mkdir(frames, { recursive: true });
        for (const [j, r] of refs.entries()) await writeFile(path.join(frames, `f${j}.jpg`), r.bytes);
        const rel = `video/clip-${tag}-${i}.${ext}`;
        await mkdir(path.join(plant.share, 'video'), { recursive: true });
        // Each picture held for 3 s at 10 fps, as a dashcam-style clip of stills.
        run('ffmpeg', ['-v', 'error', '-y', '-framerate', '1/3', '-i', path.join(frames, 'f%d.jpg'), '-r', '10', ...codec, path.join(plant.share, rel)]);
        plant.record(kind, 'video', rel, { images: refs, negative });
      }
    }
    for (let i = 0; i < (negative ? 2 : 6); i++) {
      const [r] = pick(1);
      await writeFile(path.join(plant.tmp, 'in.jpg'), /** @type {Ref} */ (r).bytes);
      const rel = `photos/IMG_${tag}_${i}.heic`;
      await mkdir(path.join(plant.share, 'photos'), { recursive: true });
      // Half of them carry a thumbnail item, as phones write them.
      run('heif-enc', ['-q', '80', ...(i % 2 ? ['-t', '256'] : []), '-o', path.join(plant.share, rel), path.join(plant.tmp, 'in.jpg')]);
      plant.record(i % 2 ? 'HEIC with thumbnail' : 'HEIC', 'HEIC', rel, { images: [/** @type {Ref} */ (r)], negative });
    }
  }
}

/**
 * Two repositories outside the share (audited with --git): pictures and plate files committed,
 * then deleted or overwritten. The first commits are packed (git repack), the later ones stay loose.
 * @param {Plant} plant
 */
async function plantGit(plant) {
  for (const negative of [false, true]) {
    const pick = negative ? plant.other : plant.agency;
    const repo = path.join(plant.root, 'repos', negative ? 'neg' : 'pos');
    await mkdir(repo, { recursive: true });
    const git = (/** @type {string[]} */ args) => run('git', ['-c', 'user.name=dev', '-c', 'user.email=dev@contractor.example', '-c', 'commit.gpgsign=false', ...args], repo);
    git(['init', '-q', '-b', 'main']);
    const kind = (/** @type {string} */ how) => `git ${how}`;
    const csv = (/** @type {string[]} */ lines) => `seen\n${lines.join('\n')}\n`;
    for (const stage of ['packed', 'loose']) {
      const [deleted, overwritten] = pick(2);
      const [replacement] = plant.other(1);
      const plates = negative ? [] : plant.agencyPlates(30);
      const lines = plant.readLines(negative ? plant.otherPlates(30) : plates, negative ? 970 : 170);
      const files = { [`assets/${stage}-deleted.jpg`]: deleted, [`assets/${stage}-overwritten.jpg`]: overwritten };
      for (const [name, r] of Object.entries(files)) {
        await mkdir(path.dirname(path.join(repo, name)), { recursive: true });
        await writeFile(path.join(repo, name), /** @type {Ref} */ (r).bytes);
      }
      await writeFile(path.join(repo, `${stage}-reads.csv`), csv(lines));
      git(['add', '-A']);
      git(['commit', '-q', '-m', `add ${stage} captures`]);
      await rm(path.join(repo, `assets/${stage}-deleted.jpg`));
      await writeFile(path.join(repo, `assets/${stage}-overwritten.jpg`), /** @type {Ref} */ (replacement).bytes);
      await writeFile(path.join(repo, `${stage}-reads.csv`), csv(plant.readLines(plant.otherPlates(10), 990)));
      git(['add', '-A']);
      git(['commit', '-q', '-m', `scrub ${stage} captures`]);
      if (stage === 'packed') git(['repack', '-a', '-d', '-q']);
      const rel = (/** @type {string} */ p) => `repos/${negative ? 'neg' : 'pos'}:${p}`;
      plant.record(kind(`${stage}, deleted picture`), 'git history', rel(`assets/${stage}-deleted.jpg`), { images: [/** @type {Ref} */ (deleted)], negative });
      plant.record(kind(`${stage}, overwritten picture`), 'git history', rel(`assets/${stage}-overwritten.jpg`), { images: [/** @type {Ref} */ (overwritten)], negative });
      plant.record(kind(`${stage}, overwritten plate file`), 'git history', rel(`${stage}-reads.csv`), { plates: plates.length, negative });
    }
    // A commit undone (reset --hard): no ref reaches its blobs, only the reflog; custody names them by blob id.
    const [dangling] = pick(1);
    await writeFile(path.join(repo, 'assets/undone.jpg'), /** @type {Ref} */ (dangling).bytes);
    git(['add', '-A']);
    git(['commit', '-q', '-m', 'add a capture by mistake']);
    git(['reset', '-q', '--hard', 'HEAD~1']);
    plant.record(kind('unreachable picture (reset)'), 'git history', `repos/${negative ? 'neg' : 'pos'}`, { images: [/** @type {Ref} */ (dangling)], negative });
  }
}
