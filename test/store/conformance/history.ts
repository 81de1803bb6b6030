import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { HistoryPosition, HistoryRecord, Store, VehicleRef } from '../../../src/store/store.js';
import { at, type FreshStore, ownerWithVehicle, T0 } from './fixtures.js';

function record(
  type: string,
  recno: number,
  timestamp: Date,
  data: string | Buffer,
  expires = at(3600),
): HistoryRecord {
  return { type, recno, timestamp, data: Buffer.from(data), expires };
}

/** What a test can compare: [seconds after T0, recno, data]. */
function rows(records: HistoryRecord[]): [number, number, string][] {
  return records.map((r) => [
    (r.timestamp.getTime() - T0.getTime()) / 1000,
    r.recno,
    r.data.toString('latin1'),
  ]);
}

export function historyTests(fresh: FreshStore): void {
  describe('history', () => {
    test('the same type, recno and second overwrites; another second or recno adds a record', async (t) => {
      const store = await fresh(t);
      const { ref } = await ownerWithVehicle(store);
      await store.addHistory(ref, record('RT-PWR-Log', 1, T0, 'one', at(3600)));
      await store.addHistory(ref, record('RT-PWR-Log', 1, new Date(T0.getTime() + 400), 'two', at(7200)));
      await store.addHistory(ref, record('RT-PWR-Log', 1, at(1), 'three'));
      await store.addHistory(ref, record('RT-PWR-Log', 2, T0, 'four'));
      const stored = await store.historyRecords(ref, 'RT-PWR-Log');
      assert.deepEqual(rows(stored), [
        [0, 1, 'two'],
        [0, 2, 'four'],
        [1, 1, 'three'],
      ]);
      assert.deepEqual(stored[0], record('RT-PWR-Log', 1, T0, 'two', at(7200)));
    });

    test('record data comes back byte for byte', async (t) => {
      const store = await fresh(t);
      const { ref } = await ownerWithVehicle(store);
      const bytes = Buffer.from([0x00, 0xff, 0xc3, 0x28, 0x2c, 0x0a, 0x00]);
      await store.addHistory(ref, record('BIN', 0, T0, bytes));
      assert.equal((await store.historyRecords(ref, 'BIN'))[0]?.data.toString('hex'), bytes.toString('hex'));
    });

    test('the summary has one row per type with counts, approximate bytes, first and last', async (t) => {
      const store = await fresh(t);
      const { ref } = await ownerWithVehicle(store, 'alice', 'DEMO1');
      const other = await ownerWithVehicle(store, 'alice', 'OTHER');
      await store.addHistory(ref, record('RT-GPS-Log', 0, at(10), 'abc'));
      await store.addHistory(ref, record('RT-GPS-Log', 1, at(20), 'defg'));
      await store.addHistory(ref, record('RT-GPS-Log', 0, at(30), Buffer.from([0xff, 0x00])));
      await store.addHistory(ref, record('A-Type', 5, at(5), 'xyz'));
      await store.addHistory(other.ref, record('RT-BAT-P', 0, at(1), 'not mine'));

      // approxBytes per row = len(type) + len(data) + len(vehicle id) + 20
      assert.deepEqual(await store.historySummary(ref), [
        {
          type: 'A-Type',
          distinctRecnos: 1,
          totalRecords: 1,
          approxBytes: 6 + 3 + 5 + 20,
          first: at(5),
          last: at(5),
        },
        {
          type: 'RT-GPS-Log',
          distinctRecnos: 2,
          totalRecords: 3,
          approxBytes: 3 * (10 + 5 + 20) + 3 + 4 + 2,
          first: at(10),
          last: at(30),
        },
      ]);
      // Only records strictly after `since` count; a type with none left disappears.
      assert.deepEqual(await store.historySummary(ref, at(10)), [
        {
          type: 'RT-GPS-Log',
          distinctRecnos: 2,
          totalRecords: 2,
          approxBytes: 2 * (10 + 5 + 20) + 4 + 2,
          first: at(20),
          last: at(30),
        },
      ]);
      assert.deepEqual(await store.historySummary(ref, at(30)), []);
      assert.equal((await store.historySummary(other.ref))[0]?.type, 'RT-BAT-P');
    });

    test('a burst of unawaited records is stored whole; a key repeated in it keeps its last write', async (t) => {
      const store = await fresh(t);
      const { ref } = await ownerWithVehicle(store);
      const writes: Promise<void>[] = [];
      for (let i = 0; i < 2500; i++)
        writes.push(store.addHistory(ref, record('BURST', i % 50, at(Math.floor(i / 50)), `v${i}`)));
      // A message in the middle of the burst, and the first record written again at its end.
      writes.push(
        store.saveMessage(ref, {
          code: 'S',
          payload: Buffer.from('s'),
          time: T0,
          paranoid: false,
          ptoken: '',
        }),
      );
      writes.push(store.addHistory(ref, record('BURST', 0, T0, 'rewritten')));
      await Promise.all(writes);
      const stored = await store.historyRecords(ref, 'BURST');
      assert.equal(stored.length, 2500);
      assert.equal(stored[0]?.data.toString(), 'rewritten');
      assert.equal(stored.at(-1)?.data.toString(), 'v2499');
      assert.equal((await store.getMessages(ref)).length, 1);
    });

    test('records are ordered by time then recno, after `since`, at most `limit`', async (t) => {
      const store = await fresh(t);
      const { ref } = await ownerWithVehicle(store);
      await store.addHistory(ref, record('T', 1, at(30), 'd'));
      await store.addHistory(ref, record('T', 2, at(10), 'b'));
      await store.addHistory(ref, record('T', 1, at(10), 'a'));
      await store.addHistory(ref, record('T', 0, at(20), 'c'));
      await store.addHistory(ref, record('U', 0, at(15), 'other type'));
      assert.deepEqual(rows(await store.historyRecords(ref, 'T')), [
        [10, 1, 'a'],
        [10, 2, 'b'],
        [20, 0, 'c'],
        [30, 1, 'd'],
      ]);
      assert.deepEqual(rows(await store.historyRecords(ref, 'T', at(10))), [
        [20, 0, 'c'],
        [30, 1, 'd'],
      ]);
      assert.deepEqual(rows(await store.historyRecords(ref, 'T', undefined, 2)), [
        [10, 1, 'a'],
        [10, 2, 'b'],
      ]);
      assert.deepEqual(rows(await store.historyRecords(ref, 'T', at(10), 1)), [[20, 0, 'c']]);
      assert.deepEqual(await store.historyRecords(ref, 'NONE'), []);
    });

    test('purge deletes only expired records, at most `limit` per call', async (t) => {
      const store = await fresh(t);
      const { ref } = await ownerWithVehicle(store);
      const other = await ownerWithVehicle(store, 'bob', 'BOB1');
      const now = at(1000);
      for (let i = 0; i < 4; i++) await store.addHistory(ref, record('OLD', i, at(i), 'old', at(100 + i)));
      await store.addHistory(other.ref, record('OLD', 0, T0, 'old', at(999)));
      await store.addHistory(ref, record('NEW', 0, T0, 'keep', at(2000)));
      await store.addHistory(ref, record('NEW', 1, T0, 'keep', at(5000)));
      await store.addHistory(ref, record('NEW', 2, T0, 'expires now', now));

      assert.equal(await store.purgeHistory(now, 2), 2);
      assert.equal(await store.purgeHistory(now, 100), 3);
      assert.equal(await store.purgeHistory(now, 100), 0);
      assert.deepEqual(await store.historyRecords(ref, 'OLD'), []);
      assert.deepEqual(await store.historyRecords(other.ref, 'OLD'), []);
      assert.deepEqual(
        (await store.historyRecords(ref, 'NEW')).map((r) => r.recno),
        [0, 1, 2],
      );
    });

    test('1000 concurrent addHistory calls all resolve and are all stored', async (t) => {
      const store = await fresh(t);
      const { ref } = await ownerWithVehicle(store);
      const writes: Promise<void>[] = [];
      for (let i = 0; i < 1000; i++) writes.push(store.addHistory(ref, record('BURST', i, T0, `r${i}`)));
      const results = await Promise.allSettled(writes);
      assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1000);
      const [summary] = await store.historySummary(ref);
      assert.equal(summary?.totalRecords, 1000);
      assert.equal(summary?.distinctRecnos, 1000);
      const stored = await store.historyRecords(ref, 'BURST');
      assert.deepEqual(
        stored.map((r) => r.data.toString()),
        Array.from({ length: 1000 }, (_, i) => `r${i}`),
      );
    });
  });
}

/** Keyset pages of one type, the count command 32 announces, and the usage the quota reads. */
export function historyPagingTests(fresh: FreshStore): void {
  describe('history pages', () => {
    /** 3 seconds of records, 5 to 9 per second (so page boundaries fall inside a second), and another type. */
    async function fill(store: Store, ref: VehicleRef): Promise<HistoryRecord[]> {
      const writes: Promise<void>[] = [];
      for (const [second, count] of [
        [10, 7],
        [11, 5],
        [12, 9],
      ] as const) {
        for (let i = 0; i < count; i++)
          writes.push(store.addHistory(ref, record('P', i * 3, at(second), `${second}/${i}`)));
      }
      writes.push(store.addHistory(ref, record('Q', 0, at(11), 'other type')));
      await Promise.all(writes);
      return store.historyRecords(ref, 'P');
    }

    async function readInPages(store: Store, ref: VehicleRef, size: number, since?: Date) {
      const seen: HistoryRecord[] = [];
      let after: HistoryPosition | undefined;
      for (let pages = 0; pages < 100; pages++) {
        const page = await store.historyPage(ref, 'P', { since, after, limit: size });
        assert.ok(page.length <= size, 'a page holds at most `limit` records');
        if (page.length === 0) return seen;
        seen.push(...page);
        const last = page.at(-1)!;
        after = { timestamp: last.timestamp, recno: last.recno };
      }
      throw new Error('paging did not end');
    }

    test('reading page by page returns every record once, in order, for any page size', async (t) => {
      const store = await fresh(t);
      const { ref } = await ownerWithVehicle(store);
      const all = await fill(store, ref);
      assert.equal(all.length, 21);
      for (const size of [1, 4, 7, 20, 21, 100])
        assert.deepEqual(rows(await readInPages(store, ref, size)), rows(all), `pages of ${size}`);
      // `since` still bounds every page, and a page can start in the middle of a second.
      const later = all.filter((r) => r.timestamp > at(10));
      assert.deepEqual(rows(await readInPages(store, ref, 4, at(10))), rows(later));
      assert.deepEqual(
        rows(await store.historyPage(ref, 'P', { after: { timestamp: at(11), recno: 5 }, limit: 3 })),
        [
          [11, 6, '11/2'],
          [11, 9, '11/3'],
          [11, 12, '11/4'],
        ],
      );
      // A cursor before `since` does not reach behind it; a cursor needs no record of its own.
      assert.deepEqual(
        rows(
          await store.historyPage(ref, 'P', {
            since: at(11),
            after: { timestamp: at(10), recno: 0 },
            limit: 1,
          }),
        ),
        [[12, 0, '12/0']],
      );
      assert.deepEqual(
        await store.historyPage(ref, 'P', { after: { timestamp: at(12), recno: 24 }, limit: 5 }),
        [],
      );
      assert.deepEqual(await store.historyPage(ref, 'P', { limit: 0 }), []);
    });

    test('the count is of one type after `since`; usage is every row and data byte of the vehicle', async (t) => {
      const store = await fresh(t);
      const { ref } = await ownerWithVehicle(store);
      const other = await ownerWithVehicle(store, 'bob', 'BOB1');
      assert.deepEqual(await store.historyUsage(ref), { rows: 0, bytes: 0 });
      const all = await fill(store, ref);
      await store.addHistory(other.ref, record('P', 0, at(10), 'not mine'));
      assert.equal(await store.countHistory(ref, 'P'), 21);
      assert.equal(await store.countHistory(ref, 'P', at(11)), 9);
      assert.equal(await store.countHistory(ref, 'Q', at(11)), 0);
      assert.equal(await store.countHistory(ref, 'NONE'), 0);
      const bytes = all.reduce((n, r) => n + r.data.length, 0) + 'other type'.length;
      assert.deepEqual(await store.historyUsage(ref), { rows: 22, bytes });
      assert.deepEqual(await store.historyUsage(other.ref), { rows: 1, bytes: 8 });
    });
  });
}

export function utilisationTests(fresh: FreshStore): void {
  describe('utilisation', () => {
    test('adding to a day adds to its counters', async (t) => {
      const store = await fresh(t);
      const { ref } = await ownerWithVehicle(store);
      await store.addUtilisation(ref, '2024-05-01', { carRx: 1, carTx: 2, appRx: 3, appTx: 4 });
      await store.addUtilisation(ref, '2024-05-01', { carRx: 10, carTx: 20, appRx: 30, appTx: 40 });
      await Promise.all([
        store.addUtilisation(ref, '2024-05-01', { carRx: 100, carTx: 0, appRx: 0, appTx: 0 }),
        store.addUtilisation(ref, '2024-05-01', { carRx: 1000, carTx: 0, appRx: 0, appTx: 0 }),
      ]);
      assert.deepEqual(await store.getUtilisation(ref, 90), [
        { day: '2024-05-01', carRx: 1111, carTx: 22, appRx: 33, appTx: 44 },
      ]);
    });

    test('days come newest first, at most as many as asked; purge removes older days', async (t) => {
      const store = await fresh(t);
      const { ref } = await ownerWithVehicle(store);
      const other = await ownerWithVehicle(store, 'bob', 'BOB1');
      const counts = (n: number) => ({ carRx: n, carTx: n, appRx: n, appTx: n });
      await store.addUtilisation(ref, '2024-04-30', counts(2));
      await store.addUtilisation(ref, '2024-05-01', counts(3));
      await store.addUtilisation(ref, '2024-04-29', counts(1));
      await store.addUtilisation(other.ref, '2024-04-01', counts(9));

      assert.deepEqual(
        (await store.getUtilisation(ref, 2)).map((d) => [d.day, d.carRx]),
        [
          ['2024-05-01', 3],
          ['2024-04-30', 2],
        ],
      );
      assert.equal((await store.getUtilisation(ref, 90)).length, 3);
      assert.deepEqual(await store.getUtilisation(other.ref, 90), [{ day: '2024-04-01', ...counts(9) }]);

      assert.equal(await store.purgeUtilisation('2024-04-30'), 2);
      assert.deepEqual(
        (await store.getUtilisation(ref, 90)).map((d) => d.day),
        ['2024-05-01', '2024-04-30'],
      );
      assert.deepEqual(await store.getUtilisation(other.ref, 90), []);
    });
  });
}
