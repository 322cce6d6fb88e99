// Packs each command into one ES module (dist/tdig-NAME.mjs) after tsc has built dist/lib.
// Node's ES module loader spends ~35 ms resolving, reading and linking the ~70 files of dist/lib one by
// one before a command reads its first byte; one file per command loads in a single step. The bundles
// are made from tsc's output, so they run exactly the code the unit tests import.
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const commands = {
  'tdig-fmt': "import { main } from './lib/cli/main.js'; import { run } from './lib/commands/fmt.js'; main('tdig-fmt', run);",
  'tdig-filter': "import { main } from './lib/cli/main.js'; import { run } from './lib/commands/filter.js'; main('tdig-filter', run);",
  'tdig-agg': "import { main } from './lib/cli/main.js'; import { run } from './lib/commands/agg.js'; main('tdig-agg', run);",
  'tdig-echo': "import { main } from './lib/cli/main.js'; import { run } from './lib/commands/echo.js'; main('tdig-echo', run);",
  'tdig-capture': "import { main } from './lib/commands/capture.js'; main();",
};

await Promise.all(
  Object.entries(commands).map(([name, contents]) =>
    build({
      stdin: { contents, resolveDir: join(root, 'dist'), sourcefile: `${name}.entry.js`, loader: 'js' },
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      outfile: join(root, 'dist', `${name}.mjs`),
      logLevel: 'warning',
      legalComments: 'none',
    }),
  ),
);
