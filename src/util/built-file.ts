/**
 * A file the build puts beside a module (a worker script, a WebAssembly binary), given the module's
 * import.meta.url. Under the test runner modules run from their TypeScript sources in src/, which
 * have no built neighbours; the suite's global setup builds dist/ first, and dist/'s copy is used.
 * The bundled CLI (dist/bin/) has its own copies beside it under the same names.
 */
export function builtFile(name: string, moduleUrl: string): URL {
  const url = new URL(`./${name}`, moduleUrl);
  if (!moduleUrl.endsWith('.ts')) return url;
  const at = url.pathname.lastIndexOf('/src/');
  return new URL(`${url.pathname.slice(0, at)}/dist/${url.pathname.slice(at + '/src/'.length)}`, url);
}
