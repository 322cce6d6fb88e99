// Starts a command from its bundle (dist/tdig-NAME.cjs, made by tools/bundle.mjs) with V8's code cache
// (dist/tdig-NAME.cjs.cache, written by a short training run at build time). With the cache, V8 skips
// parsing and compiling the functions a run needs, ~10 ms of each start. A cache that does not match the
// bundle or this V8 is rejected by V8 itself, and the bundle is compiled as usual.
// TDIG_CODE_CACHE_OUT=FILE writes the cache of this run to FILE when the process exits (the training run).
// The bin/ scripts are CommonJS (bin/package.json): Node starts a CommonJS entry ~5 ms sooner than an ES module.
'use strict';

// V8 optimizes a function once it has run through twice its default interrupt budget of bytecode (67584):
// fewer lukewarm functions reach its optimizing compiler, whose compiles run on the second core. Measured
// side by side: ~12% less CPU for tdig-agg topconns on 1M events at the same wall time, and pipelines
// (tdig-filter F | tdig-fmt), whose two processes share two cores, 10-15% faster (README, Speed). The bin/
// scripts' shebang gives it; a run through `node bin/tdig-X.js` gets it here, before the bundle is compiled,
// so that the code cache is used either way (V8 rejects a cache made under other flags). (Loading node:v8
// loads node:stream with it, ~2 ms of a start: a shebang's run does without.)
const BUDGET = '--interrupt-budget=135168';
if (!process.execArgv.includes(BUDGET)) require('node:v8').setFlagsFromString(BUDGET);
const vm = require('node:vm');
const { readFileSync, writeFileSync } = require('node:fs');
const { createRequire } = require('node:module');
const { join } = require('node:path');

/** @param {string} name the command, e.g. "tdig-fmt" */
exports.launch = function launch(name) {
  const dist = join(__dirname, '..', 'dist');
  const file = join(dist, `${name}.cjs`);
  let source;
  try {
    source = readFileSync(file, 'utf8');
  } catch (e) {
    process.stderr.write(`${name}: not built (cannot read ${file}: ${e.code || 'error'}): run npm run build\n`);
    process.exitCode = 1;
    return;
  }
  let cachedData;
  try {
    cachedData = readFileSync(`${file}.cache`);
  } catch {
    cachedData = undefined;
  }
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, { filename: file, cachedData });
  // import() inside the script has no loader; user chisels (ES modules) are imported with this module's
  globalThis[Symbol.for('tdig.import')] = (url) => import(url);
  const out = process.env.TDIG_CODE_CACHE_OUT;
  if (out) process.once('exit', () => writeFileSync(out, script.createCachedData()));
  const wrapper = script.runInThisContext();
  const mod = { exports: {} };
  wrapper.call(mod.exports, mod.exports, createRequire(file), mod, file, dist);
};
