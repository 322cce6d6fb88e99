// Chisels whose fixtures lack the activity they look for, on captures made here with tdig-capture: spy_logs
// (writes to log files). Output compared with sysdig 0.29.3 on the same capture when it is installed, and
// with the lines the workload wrote. Needs root, BPF and the built addon: skipped otherwise.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { addonPath } from '../lib/capture/native.js';
import { HAVE_SYSDIG, ROOT, sysdig, tdig } from './helpers.js';

function skipReason(): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root (eBPF capture)';
  if (!fs.existsSync('/sys/kernel/btf/vmlinux')) return 'no kernel BTF (BPF capture unavailable)';
  if (!fs.existsSync(addonPath())) return 'native addon not built (npm run build:native)';
  return undefined;
}

test('spy_logs on a capture of log writes', { skip: skipReason(), timeout: 60_000 }, () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tdig-logs-'));
  try {
    const cap = path.join(dir, 'cap.scap');
    const script = [
      `printf 'starting up\\nWARNING: low disk\\n' >> ${dir}/app.log`,
      `printf 'an error here\\nERROR big\\n\\n' >> ${dir}/app.log`,
      `echo plain >> ${dir}/x_log`,
      `echo ignored >> ${dir}/old.log.gz`,
      `echo 'not a log' >> ${dir}/notes.txt`,
    ].join('; ');
    const r = spawnSync(process.execPath, [path.join(ROOT, 'bin', 'tdig-capture.js'), '-s', '2000', '-w', cap, '--', 'sh', '-c', script], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const run = (args: string[]) => {
      const x = tdig('tdig-echo', [...args, cap]);
      assert.equal(x.status, 0, x.stderr.toString());
      return x.stdout.toString('latin1');
    };
    const out = run(['spy_logs']);
    assert.equal(
      out,
      [`${dir}/app.log starting up`, `${dir}/app.log WARNING: low disk`, `${dir}/app.log an error here`, `${dir}/app.log ERROR big`, `${dir}/x_log plain`]
        .map((l) => `sh ${l}\n`).join(''),
    );
    if (HAVE_SYSDIG) {
      assert.equal(out, sysdig(['-r', cap, '-c', 'spy_logs']));
      assert.equal(run(['spy_logs', 'proc.name=sh and evt.buffer contains err']), sysdig(['-r', cap, '-c', 'spy_logs', 'proc.name=sh and evt.buffer contains err']));
    }
    // on a terminal (here forced): green, yellow for "warn" in any case, red for "err" in its own case
    const colored = run(['--color', 'spy_logs']).split('\n');
    assert.equal(colored[0], `\x1b[32m sh ${dir}/app.log starting up`);
    assert.equal(colored[1], `\x1b[33m sh ${dir}/app.log WARNING: low disk`);
    assert.equal(colored[2], `\x1b[31m sh ${dir}/app.log an error here`);
    assert.equal(colored[3], `\x1b[32m sh ${dir}/app.log ERROR big`);
    assert.equal(colored.at(-2), '\x1b[0m');
    // the event-export arguments are refused with one line naming the chisel
    const bad = tdig('tdig-echo', ['spy_logs', 'around.dump', cap]);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr.toString(), /^tdig-echo: spy_logs: dump_file_name is not supported/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
