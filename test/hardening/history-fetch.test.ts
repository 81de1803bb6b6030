import assert from 'node:assert/strict';
import { test } from 'node:test';
import { jsonBody } from '../../src/http/json.js';
import { historyRecordsView } from '../../src/http/views/records.js';
import { HISTORY_PAGE_ROWS } from '../../src/store/history-reader.js';
import type { HistoryRecord, Store, Vehicle } from '../../src/store/store.js';
import { type Harness, startServer } from '../helpers/harness.js';
import { Api } from '../http/api-client.js';

/**
 * A long history must reach the app whole. Before, command 32 wrote every line in one go (a client
 * was dropped at 1 MiB queued, so a real app could never fetch a large history) and
 * GET /api/historical built the whole body in memory (a 120 MB history meant a 120 MB response
 * string). Both now go a page at a time, as fast as the client reads.
 */

const T0 = Date.UTC(2024, 4, 1, 12);

function recordData(i: number, size: number): string {
  return `${i},`.padEnd(size, String.fromCharCode(97 + (i % 26)));
}

/** `count` records of `size` bytes each, ten per second, each with its own content. */
async function fill(h: Harness, v: Vehicle, type: string, count: number, size: number): Promise<void> {
  const writes: Promise<void>[] = [];
  for (let i = 0; i < count; i++) {
    const data = Buffer.from(recordData(i, size));
    const timestamp = new Date(T0 + Math.floor(i / 10) * 1000);
    writes.push(
      h.store.addHistory(v, {
        type,
        recno: i % 10,
        timestamp,
        data,
        expires: new Date(Date.now() + 86_400_000),
      }),
    );
  }
  await Promise.all(writes);
}

test('command 32 sends a history far over the output limit whole, without dropping the app', async (t) => {
  const h = await startServer(t);
  const v = await h.addVehicle('DEMO1', 's1');
  // 400 records of 4 KB: about 2.2 MB of encrypted lines, twice the 1 MiB output limit.
  await fill(h, v, 'RT-BIG', 400, 4000);
  const reads = countReads(h.store);
  for (const transport of ['tcp', 'ws'] as const) {
    const app = await h.connect('A', 'DEMO1', 's1', { transport });
    const answer = await app.client.command(32, ['RT-BIG'], { timeoutMs: 20_000 });
    assert.equal(answer.lines.length, 400, `${transport}: every record`);
    for (const [i, line] of answer.lines.entries()) {
      const [k, n, type, , recno, ...data] = line.params;
      assert.deepEqual([k, n, type, recno], [String(i + 1), '400', 'RT-BIG', String(i % 10)]);
      assert.ok(data.join(',') === recordData(i, 4000), `${transport}: record ${i}, in order, whole`);
    }
    // Still connected: a ping is answered.
    app.send('A');
    assert.equal(await app.nextOf('a'), 'a');
    await app.close();
  }
  assert.ok(!h.logs.some((l) => l.includes('client does not read')), 'nobody was dropped');
  assert.ok(reads.largest <= HISTORY_PAGE_ROWS, `at most a page per read (largest ${reads.largest})`);
});

/** Counts the history rows the server reads from the store, and the most in one read. */
function countReads(store: Store) {
  const state = {
    rows: 0,
    largest: 0,
    note(records: HistoryRecord[]): HistoryRecord[] {
      state.rows += records.length;
      state.largest = Math.max(state.largest, records.length);
      return records;
    },
  };
  const { historyPage, historyRecords } = store;
  store.historyPage = async (...args) => state.note(await historyPage.apply(store, args));
  store.historyRecords = async (...args) => state.note(await historyRecords.apply(store, args));
  return state;
}

test('GET /api/historical/<id>/<type> streams the records page by page, the same bytes as before', async (t) => {
  const h = await startServer(t);
  const v = await h.addVehicle('DEMO1', 's1');
  // 3,000 records of 1 KB: 3 MB of JSON.
  await fill(h, v, 'RT-BIG', 3000, 1000);
  const expected = jsonBody(historyRecordsView(await h.store.historyRecords(v, 'RT-BIG')));
  const reads = countReads(h.store);
  // The third page is read only after the client has the start of the body: the response begins
  // before the history is read, and the server never holds more than a page or two of it.
  const { historyPage } = h.store;
  let firstChunk: () => void = () => {};
  const started = new Promise<void>((resolve) => {
    firstChunk = resolve;
  });
  let pagesAsked = 0;
  h.store.historyPage = async (...args) => {
    if (++pagesAsked === 3) await started;
    return historyPage.apply(h.store, args);
  };
  const api = new Api(h);
  const res = await fetch(api.url('/api/historical/DEMO1/RT-BIG', api.credentials));
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
  const reader = res.body!.getReader();
  const chunks: Buffer[] = [];
  let readBeforeFirstChunk = -1;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (readBeforeFirstChunk < 0) {
      readBeforeFirstChunk = reads.rows;
      firstChunk();
    }
    chunks.push(Buffer.from(value));
  }
  assert.ok(
    readBeforeFirstChunk <= 2 * HISTORY_PAGE_ROWS,
    `the body started after ${readBeforeFirstChunk} of 3000 rows were read`,
  );
  assert.ok(reads.largest <= HISTORY_PAGE_ROWS, `at most a page per read (largest ${reads.largest})`);
  const body = Buffer.concat(chunks).toString('utf8');
  assert.equal(body.length, expected.length);
  assert.ok(body === expected, 'the streamed body is byte for byte the one JSON array');
});

test('POST /api/command with 32 collects at most 1 MiB of lines; the last says how many there were', async (t) => {
  const h = await startServer(t);
  const v = await h.addVehicle('DEMO1', 's1');
  await fill(h, v, 'RT-BIG', 400, 4000);
  const res = await new Api(h).withPassword('POST', '/api/command/DEMO1', {
    body: { command: 32, params: ['RT-BIG'] },
  });
  assert.equal(res.status, 200, res.text);
  const { lines } = res.json as { lines: { params: string[] }[] };
  // About 4 KB a line: 1 MiB is 262 lines of the 400.
  assert.ok(lines.length > 200 && lines.length < 400, `${lines.length} lines`);
  assert.deepEqual(lines.at(-1)!.params.slice(0, 2), [String(lines.length), '400']);
});
