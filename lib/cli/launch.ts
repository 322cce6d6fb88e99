// Starts a command from its bundle (dist/tdig-NAME.cjs, made by tools/bundle.mjs) with V8's code cache
// (dist/tdig-NAME.cjs.cache, written by a short training run at build time). With the cache, V8 skips
// parsing and compiling the functions a run needs, ~10 ms of each start. A cache that does not match the
// bundle or this V8 is rejected by V8 itself, and the bundle is compiled as usual.
// TDIG_CODE_CACHE_OUT=FILE writes the cache of this run to FILE when the process exits (the training run).

import * as vm from 'node:vm';
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export function launch(name: string): void {
  // dist/lib/cli/launch.js -> dist
  const dist = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
  const file = join(dist, `${name}.cjs`);
  let source: string;
  try {
    source = readFileSync(file, 'utf8');
  } catch (e) {
    process.stderr.write(`${name}: cannot read ${file} (${(e as NodeJS.ErrnoException).code ?? 'error'}): run npm run build\n`);
    process.exitCode = 1;
    return;
  }
  let cachedData: Buffer | undefined;
  try {
    cachedData = readFileSync(`${file}.cache`);
  } catch {
    cachedData = undefined;
  }
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, { filename: file, cachedData });
  // import() inside the script has no loader; user chisels (ES modules) are imported with this module's
  (globalThis as Record<symbol, unknown>)[Symbol.for('tdig.import')] = (url: string): Promise<unknown> => import(url);
  const out = process.env['TDIG_CODE_CACHE_OUT'];
  if (out) process.once('exit', () => writeFileSync(out, script.createCachedData()));
  const wrapper = script.runInThisContext() as (e: object, r: NodeJS.Require, m: object, f: string, d: string) => void;
  const mod = { exports: {} };
  wrapper.call(mod.exports, mod.exports, createRequire(file), mod, file, dist);
}
