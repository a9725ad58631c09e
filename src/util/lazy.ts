/**
 * A module loaded on first use, once. custody's start-up is paid on every run, including the many
 * that never decode an image or open an archive (an exact-only audit, `--version`, a manifest
 * audit): importing sharp, exifr, yauzl, tar-stream and csv-parse eagerly cost about 0.8 s of the
 * 1.5 s start-up on the benchmark machine.
 */
export function lazy<T>(load: () => Promise<T>): () => Promise<T> {
  let loaded: Promise<T> | undefined;
  return () => (loaded ??= load());
}
