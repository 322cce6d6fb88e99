// -R's port names: getservbyport(3)'s answer from a services file (lib/events/ports.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { portText, setPortResolution } from '../lib/events/ports.js';
import { L4_NA, L4_TCP, L4_UDP, L4_UNKNOWN } from '../lib/state/model.js';

const dir = mkdtempSync(join(tmpdir(), 'tdig-ports-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

test('the first entry of the port for the protocol; any protocol for other l4 values; comments and bad lines skipped', () => {
  const file = join(dir, 'services');
  writeFileSync(
    file,
    [
      '# a comment line',
      'tcpmux\t\t1/tcp\t\t\t\t# TCP port service multiplexer',
      'echo\t\t7/tcp',
      'echo\t\t7/udp',
      'onlyudp\t\t9/udp\t\tdiscard-alias',
      'discard\t\t9/tcp\t\tsink null',
      'bad\t\tx9/tcp',
      'big\t\t70000/tcp',
      'noproto 11',
      'first\t\t12/tcp',
      'second\t\t12/tcp',
      '  spaced   13/tcp   # leading blanks',
      '',
    ].join('\n'),
  );
  setPortResolution(true, file);
  try {
    assert.equal(portText(1, L4_TCP), 'tcpmux');
    assert.equal(portText(1, L4_UDP), '1', 'no udp entry: the number');
    assert.equal(portText(9, L4_TCP), 'discard');
    assert.equal(portText(9, L4_UDP), 'onlyudp');
    assert.equal(portText(9, L4_NA), 'onlyudp', 'no protocol: the first line of the port, whatever its protocol');
    assert.equal(portText(9, L4_UNKNOWN), 'onlyudp');
    assert.equal(portText(12, L4_TCP), 'first');
    assert.equal(portText(13, L4_TCP), 'spaced');
    assert.equal(portText(11, L4_NA), '11', 'a line without a protocol is no entry');
    assert.equal(portText(4464, L4_TCP), '4464', 'x9 and 70000 are not ports');
    assert.equal(portText(0, L4_TCP), '0');
  } finally {
    setPortResolution(false);
  }
  assert.equal(portText(9, L4_TCP), '9', 'without -R: numbers');
});

test('no services file: every port stays a number', () => {
  setPortResolution(true, join(dir, 'missing'));
  try {
    assert.equal(portText(80, L4_TCP), '80');
  } finally {
    setPortResolution(false);
  }
});
