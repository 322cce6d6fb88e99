// Packs each command into one script (dist/tdig-NAME.cjs) after tsc has built dist/lib, then records V8's
// code cache for it (dist/tdig-NAME.cjs.cache) from a short run on a test capture.
// Node's ES module loader spends ~35 ms resolving, reading and linking the ~70 files of dist/lib one by
// one before a command reads its first byte; one file per command loads in a single step, and with the
// code cache (bin/launch.js) its functions need no compiling. The bundles are made from tsc's output,
// so they run exactly the code the unit tests import.
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const cap = join(root, 'test', 'data', 'curl_google.scap');
const commands = {
  'tdig-fmt': { entry: "import { main } from './lib/cli/main.js'; import { run } from './lib/commands/fmt.js'; main('tdig-fmt', run);", train: [cap] },
  'tdig-filter': { entry: "import { main } from './lib/cli/main.js'; import { run } from './lib/commands/filter.js'; main('tdig-filter', run);", train: ['proc.name=curl', cap] },
  'tdig-agg': { entry: "import { main } from './lib/cli/main.js'; import { run } from './lib/commands/agg.js'; main('tdig-agg', run);", train: ['topconns', cap] },
  'tdig-echo': { entry: "import { main } from './lib/cli/main.js'; import { run } from './lib/commands/echo.js'; main('tdig-echo', run);", train: ['echo_fds', cap] },
  'tdig-capture': { entry: "import { main } from './lib/commands/capture.js'; main();", train: ['--help'] },
};

await Promise.all(
  Object.entries(commands).map(([name, { entry }]) =>
    build({
      stdin: { contents: entry, resolveDir: join(root, 'dist'), sourcefile: `${name}.entry.js`, loader: 'js' },
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      outfile: join(root, 'dist', `${name}.cjs`),
      // the bundle is a CommonJS script: import.meta.url becomes the script's own file URL.
      // Buffer and process: Node defines both on the global object as getters, so each use of the global
      // calls one, also in V8's optimized code (the IP test of a filter: ~1% of the state-heavy filter); the
      // bundle's own bindings are plain constants.
      define: { 'import.meta.url': '__tdig_import_meta_url' },
      banner: {
        js: 'var __tdig_import_meta_url = require("node:url").pathToFileURL(__filename).href; const { Buffer } = require("node:buffer"); const process = require("node:process");',
      },
      logLevel: 'warning',
      legalComments: 'none',
    }),
  ),
);

for (const [name, { train }] of Object.entries(commands)) {
  const cache = join(root, 'dist', `${name}.cjs.cache`);
  rmSync(cache, { force: true });
  const r = spawnSync(process.execPath, [join(root, 'bin', `${name}.js`), ...train], {
    env: { ...process.env, TDIG_CODE_CACHE_OUT: cache },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  // a failed training run leaves no cache: the command still runs, compiling as it goes
  if (r.status !== 0) process.stderr.write(`bundle: training run of ${name} failed: ${r.stderr}\n`);
}
