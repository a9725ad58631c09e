/** Text of the given lines, each ending in a newline. */
export const lines = (...text: string[]): string => `${text.join('\n')}\n`;

/** Lines 1-8: a valid policy header the cases build on, so line numbers stay easy to count. */
export const HEADER = [
  'version: 1',
  'contract:',
  '  id: C-1',
  '  title: Test contract',
  '  agency: Test agency',
  '  clauses:',
  '    - id: H.1',
  '      title: Clause one',
];

/** Lines 9-15 after HEADER: one location protocol. */
export const PROTOCOL = ['protocols:', '  - id: P-1', '    clause: H.1', '    title: Location', '    severity: high', '    require:', '      kind: location'];
