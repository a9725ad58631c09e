/** The CLI's window on the world: injected so the whole CLI runs in-process in tests. */
export interface Io {
  stdout: { write(text: string): unknown; isTTY?: boolean; columns?: number };
  /** `columns` is read at each progress redraw, so a resized terminal is followed. */
  stderr: { write(text: string): unknown; isTTY?: boolean; columns?: number };
  /** Standard input, read only for `--policy -`; absent means there is none. */
  stdin?: AsyncIterable<Uint8Array | string>;
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
}
