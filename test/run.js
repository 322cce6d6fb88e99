#!/usr/bin/env node
// Runs every compiled test file with node's test runner and ends with the line CI reads:
// "N passed, N failed".
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

const dir = new URL('../dist/test/', import.meta.url).pathname;
const only = process.argv.slice(2);
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.test.js'))
  .filter((f) => only.length === 0 || only.some((o) => f.includes(o)))
  .sort()
  .map((f) => join(dir, f));

const child = spawn(process.execPath, ['--test', '--test-reporter=tap', '--test-concurrency=2', ...files], {
  stdio: ['ignore', 'pipe', 'inherit'],
});
let pass = 0;
let fail = 0;
let rest = '';
child.stdout.on('data', (d) => {
  process.stdout.write(d);
  const lines = (rest + d.toString()).split('\n');
  rest = lines.pop();
  for (const l of lines) {
    let m = /^# pass (\d+)/.exec(l);
    if (m) pass = Number(m[1]);
    m = /^# fail (\d+)/.exec(l);
    if (m) fail = Number(m[1]);
  }
});
child.on('close', (code) => {
  if (code !== 0 && fail === 0) fail = 1;
  console.log(`${pass} passed, ${fail} failed`);
  process.exitCode = fail === 0 ? 0 : 1;
});
