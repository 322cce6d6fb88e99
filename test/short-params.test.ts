// A parameter shorter than its type (a corrupt capture) is read as far as it goes, or, for a socket address
// or tuple, stops the run with a DataError that names the event and its offset: never one of Node's own
// errors. Every kind of parameter of tdig's own test captures (test/captures: Apache, PHP and ab over IPv4,
// loopback TCP and UDP, unix sockets and threads, odd paths) is cut to 0 bytes, 1 byte and half its length
// (once per event type, parameter and cut, over the four), and the events up to it run through the state engine
// and the parameter renderer, in process; every field is read on the cut event.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './helpers.js';
import { DataError } from '../lib/cli/errors.js';
import { eventInfo } from '../lib/events/table.js';
import { readBlocks } from '../lib/scap/reader.js';
import { StateEngine } from '../lib/state/engine.js';
import { filterEvent } from '../lib/filter/run.js';
import { evtArgs } from '../lib/fields/evt.js';
import { allFields, resolveField } from '../lib/fields/registry.js';

const EV_V2 = 0x216;

/** The capture's header blocks and event blocks (EV v2, as tdig-capture writes them). */
function split(b: Buffer): { headers: Buffer[]; events: Buffer[] } {
  const headers: Buffer[] = [];
  const events: Buffer[] = [];
  for (let p = 0; p < b.length; p += b.readUInt32LE(p + 4)) {
    const block = b.subarray(p, p + b.readUInt32LE(p + 4));
    if (b.readUInt32LE(p) === EV_V2) events.push(block);
    else if (events.length === 0) headers.push(block);
  }
  return { headers, events };
}

/** The event block `block` with parameter k cut to `cut` bytes. */
function cutParam(block: Buffer, k: number, cut: number): Buffer {
  const ev = block.subarray(10);
  const np = ev.readUInt32LE(22);
  const params: Buffer[] = [];
  let o = 26 + 2 * np;
  for (let j = 0; j < np; j++) {
    const len = ev.readUInt16LE(26 + 2 * j);
    params.push(ev.subarray(o, o + (j === k ? cut : len)));
    o += len;
  }
  const lens = Buffer.alloc(2 * np);
  params.forEach((q, j) => lens.writeUInt16LE(q.length, 2 * j));
  const body = Buffer.concat([ev.subarray(0, 26), lens, ...params]);
  body.writeUInt32LE(body.length, 16);
  const total = 8 + ((2 + body.length + 3) & ~3) + 4;
  const out = Buffer.alloc(total);
  out.writeUInt32LE(EV_V2, 0);
  out.writeUInt32LE(total, 4);
  out.writeUInt16LE(block.readUInt16LE(8), 8);
  body.copy(out, 10);
  out.writeUInt32LE(total, total - 4);
  return out;
}

/** every field that reads without an argument, and the cut event's parameters by index */
const FIELDS = allFields().filter((f) => f.arg !== 'required');
let fieldsRead = 0;

/**
 * Runs a stream through the engine, rendering every event's parameters, and reading every field of the
 * `at`-th event (from 1); returns the error it ended with.
 */
async function run(stream: Buffer, at: number): Promise<unknown> {
  let n = 0;
  const engine = new StateEngine();
  async function* one(): AsyncGenerator<Buffer> {
    yield stream;
  }
  try {
    await readBlocks(
      one(),
      {
        header: (h) => engine.header(h),
        event(ev) {
          const k = ++n;
          if (filterEvent(engine, ev, undefined) === -1) return true;
          evtArgs(engine);
          if (k === at) {
            fieldsRead++;
            for (const f of FIELDS) f.extract(engine, undefined);
            for (let i = 0; i < ev.nparams; i++) {
              for (const text of [`evt.arg[${i}]`, `evt.rawarg[${i}]`]) {
                const r = resolveField(text)!;
                r.def.extract(engine, r.arg);
              }
            }
          }
          return true;
        },
      },
      { tableNparams: (t) => eventInfo(t)?.params.length ?? 0 },
    );
  } catch (e) {
    return e;
  }
  return undefined;
}

test('every parameter cut short: read as far as it goes, or a DataError naming the event, never a Node error', async () => {
  const seen = new Set<string>();
  let mutants = 0;
  let refused = 0;
  for (const cap of ['apache_ab.scap', 'loopback_workload.scap', 'unix_threads.scap', 'path_quirks.scap']) {
    const { headers, events } = split(readFileSync(join(ROOT, 'test', 'captures', cap)));
    for (let i = 0; i < events.length; i++) {
      const ev = events[i]!.subarray(10);
      const type = ev.readUInt16LE(20);
      const np = ev.readUInt32LE(22);
      for (let k = 0; k < np; k++) {
        const len = ev.readUInt16LE(26 + 2 * k);
        for (const [cut, tag] of [[0, '0'], [1, '1'], [len >> 1, 'half']] as const) {
          const key = `${type}.${k}.${tag}`;
          if (cut >= len || seen.has(key)) continue;
          seen.add(key);
          mutants++;
          const stream = Buffer.concat([...headers, ...events.slice(0, i), cutParam(events[i]!, k, cut), ...events.slice(i + 1, i + 50)]);
          const e = await run(stream, i + 1);
          if (e === undefined) continue;
          const what = `${cap}: ${eventInfo(type)?.name} param ${k} cut to ${cut} of ${len}: ${String(e)}`;
          assert.ok(e instanceof DataError, what);
          assert.match(e.message, /^event \d+ \([a-z_0-9]+ [<>]\): a parameter is shorter than its type needs at byte \d+$/, what);
          refused++;
        }
      }
    }
  }
  // the captures' kinds of parameters (socket tuples among them)
  assert.ok(mutants > 250, `${mutants} mutants`);
  assert.ok(refused > 0, 'a cut tuple is refused');
  // every mutant but the refused ones had its fields read
  assert.equal(fieldsRead, mutants - refused);
});
