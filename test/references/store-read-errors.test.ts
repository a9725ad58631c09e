import { createWriteStream, existsSync } from 'node:fs';
import { type FileHandle, mkdir, open, stat } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Reference } from '../../src/references/schema.js';
import { readOpenStore, readStoreIfAny } from '../../src/references/store-read.js';
import { storeChunks } from '../../src/references/store-write.js';
import { ViewFileReader } from '../../src/references/view-file.js';
import { InputError } from '../../src/util/errors.js';
import { tempDir } from '../support/tmp.js';

const hex = (n: number, bytes: number) =>
  (n >>> 0)
    .toString(16)
    .padStart(8, '0')
    .repeat(bytes / 4);

function reference(i: number): Reference {
  return {
    id: `lane/${String(i).padStart(4, '0')}.jpg`,
    class: 'vehicle-image',
    size: 10_000 + i,
    sha256: hex(i * 2654435761, 32),
    md5: hex(i * 40503, 16),
    media: 'image/jpeg',
    pdq: [{ hash: hex(i * 9 + 1, 32), quality: 90, variant: 'full' }],
  };
}

/** A handle whose reads fail as a failing disk's do, from the `failFrom`-th read on. */
function failingDisk(handle: FileHandle, failFrom: number): FileHandle {
  let reads = 0;
  return new Proxy(handle, {
    get(target, key, receiver) {
      if (key !== 'read') {
        const value = Reflect.get(target, key, receiver);
        return typeof value === 'function' ? value.bind(target) : value;
      }
      return (...args: unknown[]) => {
        if (++reads >= failFrom) return Promise.reject(Object.assign(new Error('EIO: i/o error, read'), { code: 'EIO', syscall: 'read' }));
        return (target.read as (...a: unknown[]) => Promise<unknown>)(...args);
      };
    },
  });
}

describe('fingerprint store: a disk that fails is refused in one line naming the store', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let file: string;

  beforeAll(async () => {
    ({ dir, cleanup } = await tempDir('custody-store-eio-'));
    file = path.join(dir, 'refs.cfs');
    const out = createWriteStream(file);
    const meta = { tool: { name: 'custody' as const, version: 'test' }, createdAt: '2026-12-01T00:00:00.000Z', roots: ['lane'] };
    for (const chunk of storeChunks(
      function* () {
        for (let i = 0; i < 50; i++) yield reference(i);
      },
      undefined,
      meta,
      {},
    ))
      out.write(chunk);
    await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
  });
  afterAll(() => cleanup());

  it('loads the store through the same handle wrapper when no read fails', async () => {
    const handle = await open(file);
    try {
      const store = await readOpenStore(failingDisk(handle, Number.POSITIVE_INFINITY), file);
      expect(store.footer.counts.references).toBe(50);
    } finally {
      await handle.close();
    }
  });

  it('refuses an EIO at every read of the load with an InputError naming the file and the code', async () => {
    // Count the reads a load makes, then fail each one in turn: the trailer, footers, every section.
    let total = 0;
    {
      const handle = await open(file);
      const counting = new Proxy(handle, {
        get(target, key) {
          const value = Reflect.get(target, key);
          if (key === 'read') total++;
          return typeof value === 'function' ? value.bind(target) : value;
        },
      });
      await readOpenStore(counting, file);
      await handle.close();
    }
    expect(total).toBeGreaterThan(3);
    for (let failFrom = 1; failFrom <= total; failFrom++) {
      const handle = await open(file);
      try {
        const error = await readOpenStore(failingDisk(handle, failFrom), file).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(error, `read ${failFrom} of ${total}`).toBeInstanceOf(InputError);
        expect((error as Error).message).toBe(`${file}: cannot read fingerprint store (EIO)`);
      } finally {
        await handle.close();
      }
    }
  });

  // A real file whose every read fails with EIO (a Linux power attribute with no value); elsewhere skipped.
  const failing = '/sys/devices/system/clocksource/power/autosuspend_delay_ms';
  it.skipIf(!existsSync(failing))(
    'leaves a file whose first read fails to the other reader, which says why in its own words (skipped without that kernel file)',
    async () => {
      expect(await readStoreIfAny(failing)).toBeUndefined();
    },
  );

  it("leaves a bug's error (Node's own ERR_ codes) as it is, not blamed on the store", async () => {
    const { dev, ino, size, mtimeMs, ctimeMs } = await stat(file);
    const reader = new ViewFileReader({ path: file, identity: { dev, ino, size, mtimeMs, ctimeMs }, segments: [{ firstView: 0, views: 4, offset: 0 }] });
    try {
      // A buffer too small for the views asked: the caller's mistake (ERR_OUT_OF_RANGE), not the disk's.
      const error = (() => {
        try {
          reader.read(0, 4, new Uint8Array(32));
        } catch (e) {
          return e;
        }
      })();
      expect(error).toBeInstanceOf(RangeError);
      expect(error).not.toBeInstanceOf(InputError);
    } finally {
      reader.close();
    }
  });

  it('refuses a view read the system fails after the load, in one line, never as a bug', async () => {
    // A directory opens read-only, stats like the identity recorded, and fails every read (EISDIR).
    const folder = path.join(dir, 'not-a-store');
    await mkdir(folder);
    const { dev, ino, size, mtimeMs, ctimeMs } = await stat(folder);
    const reader = new ViewFileReader({ path: folder, identity: { dev, ino, size, mtimeMs, ctimeMs }, segments: [{ firstView: 0, views: 4, offset: 0 }] });
    try {
      expect(() => reader.read(0, 2, new Uint8Array(64))).toThrow(new InputError(folder, 'fingerprint store could not be read after it was loaded (EISDIR)'));
    } finally {
      reader.close();
    }
  });
});
