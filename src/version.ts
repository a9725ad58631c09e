import { existsSync, readFileSync } from 'node:fs';

/**
 * custody's version, from package.json (one source of truth). The nearest package.json above this
 * module: src/ and dist/ sit one level below it, the bundled CLI (dist/bin/) two.
 */
function packageVersion(): string {
  for (let url = new URL('../package.json', import.meta.url); ; url = new URL('../package.json', url)) {
    if (existsSync(url)) return (JSON.parse(readFileSync(url, 'utf8')) as { version: string }).version;
    if (url.pathname === '/package.json') throw new Error(`custody: no package.json above ${import.meta.url}`);
  }
}

export const VERSION: string = packageVersion();
