import { existsSync, readFileSync } from 'node:fs';

interface PackageJson {
  version: string;
  homepage?: string;
}

/**
 * custody's package.json (one source of truth for its version and home page). The nearest
 * package.json above this module: src/ and dist/ sit one level below it, the bundled CLI (dist/bin/) two.
 */
function packageJson(): PackageJson {
  for (let url = new URL('../package.json', import.meta.url); ; url = new URL('../package.json', url)) {
    if (existsSync(url)) return JSON.parse(readFileSync(url, 'utf8')) as PackageJson;
    if (url.pathname === '/package.json') throw new Error(`custody: no package.json above ${import.meta.url}`);
  }
}

const PACKAGE = packageJson();

export const VERSION: string = PACKAGE.version;

/** Where people learn about custody (package.json `homepage`): SARIF's `informationUri`. */
export const HOMEPAGE: string | undefined = PACKAGE.homepage;
