// Where tdig's own files are (formats/, native/): the nearest directory above the running module that holds
// tdig's package.json and formats/. The same answer from dist/lib/** (tests) and from dist/*.mjs (the bundles).

import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let root: string | undefined;

export function packageRoot(): string {
  if (root !== undefined) return root;
  const start = fileURLToPath(import.meta.url);
  let dir = dirname(start);
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'formats', 'event-table.json'))) return (root = dir);
    const up = dirname(dir);
    if (up === dir) throw new Error('tdig: cannot find formats/event-table.json above ' + start);
    dir = up;
  }
}
