/**
 * Plain code-unit comparison of strings, for every order custody writes: locale-aware collation
 * differs between machines, and reports must not.
 */
export const compareStrings = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
