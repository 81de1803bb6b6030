import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { at, type FreshStore, message, ownerWithVehicle, paranoidMessage, T0 } from './fixtures.js';

export function messageTests(fresh: FreshStore): void {
  describe('latest messages', () => {
    test('saving a code again replaces its message and moves lastUpdate', async (t) => {
      const store = await fresh(t);
      const { ref } = await ownerWithVehicle(store);
      await store.saveMessage(ref, message('S', 'first', at(10)));
      assert.deepEqual((await store.getVehicle(ref))?.lastUpdate, at(10));
      await store.saveMessage(ref, message('S', 'second', at(20)));
      await store.saveMessage(ref, message('D', 'doors', at(25)));
      const stored = await store.getMessages(ref);
      assert.deepEqual(stored, [message('S', 'second', at(20)), message('D', 'doors', at(25))]);
      assert.deepEqual((await store.getVehicle(ref))?.lastUpdate, at(25));
      assert.deepEqual((await store.findVehicle(ref.vehicleId))?.lastUpdate, at(25));
    });

    test('replay order is F, S, then the other codes sorted case-sensitively', async (t) => {
      const store = await fresh(t);
      const { ref } = await ownerWithVehicle(store);
      for (const code of ['x', 'Y', 'W', 'S', 'L', 'X', 'D', 'F', 'k']) {
        await store.saveMessage(ref, message(code, `payload of ${code}`));
      }
      const stored = await store.getMessages(ref);
      assert.deepEqual(
        stored.map((m) => m.code),
        ['F', 'S', 'D', 'L', 'W', 'X', 'Y', 'k', 'x'],
      );
      // 'X' and 'x' are two messages, neither overwrote the other.
      assert.equal(stored.find((m) => m.code === 'X')?.payload.toString(), 'payload of X');
      assert.equal(stored.find((m) => m.code === 'x')?.payload.toString(), 'payload of x');
    });

    test('messages belong to their vehicle', async (t) => {
      const store = await fresh(t);
      const one = await ownerWithVehicle(store, 'ann', 'ONE');
      const two = await ownerWithVehicle(store, 'ann', 'TWO');
      await store.saveMessage(one.ref, message('S', 'one'));
      assert.deepEqual(await store.getMessages(two.ref), []);
      assert.equal((await store.getVehicle(two.ref))?.lastUpdate, undefined);
    });

    test('payloads come back byte for byte, including NUL, 0xff and invalid UTF-8', async (t) => {
      const store = await fresh(t);
      const { ref } = await ownerWithVehicle(store);
      const bytes = Buffer.from([0x00, 0xff, 0xc3, 0x28, 0x80, 0xfe, 0x0d, 0x0a, 0x2c, 0x00]);
      await store.saveMessage(ref, { code: 'W', payload: bytes, time: T0, paranoid: false, ptoken: '' });
      await store.saveMessage(ref, {
        code: 'Z',
        payload: Buffer.alloc(0),
        time: T0,
        paranoid: false,
        ptoken: '',
      });
      const [w, z] = await store.getMessages(ref);
      assert.ok(Buffer.isBuffer(w?.payload));
      assert.equal(w?.payload.toString('hex'), bytes.toString('hex'));
      assert.equal(z?.payload.length, 0);
    });

    test('the caller may reuse its payload buffer once saveMessage has been called', async (t) => {
      const store = await fresh(t);
      const { ref } = await ownerWithVehicle(store);
      const buffer = Buffer.from('original');
      const saving = store.saveMessage(ref, {
        code: 'S',
        payload: buffer,
        time: T0,
        paranoid: false,
        ptoken: '',
      });
      buffer.write('CHANGED!');
      await saving;
      assert.equal((await store.getMessages(ref))[0]?.payload.toString(), 'original');
    });

    test('a new paranoid token hides stored paranoid messages under other tokens', async (t) => {
      const store = await fresh(t);
      const { ref } = await ownerWithVehicle(store);
      await store.saveMessage(ref, message('S', 'plain status'));
      await store.saveMessage(ref, paranoidMessage('D', 'ENC-D', 'tokenA'));
      await store.saveMessage(ref, paranoidMessage('L', 'ENC-L', 'tokenB'));
      assert.deepEqual(
        (await store.getMessages(ref)).map((m) => m.code),
        ['S', 'D', 'L'],
      );

      await store.setParanoidToken(ref, 'tokenA');
      assert.equal((await store.getVehicle(ref))?.ptoken, 'tokenA');
      assert.deepEqual(await store.getMessages(ref), [
        message('S', 'plain status'),
        paranoidMessage('D', 'ENC-D', 'tokenA'),
      ]);

      await store.setParanoidToken(ref, 'tokenC');
      assert.deepEqual(
        (await store.getMessages(ref)).map((m) => m.code),
        ['S'],
      );
      // Going back to an old token does not bring its messages back: they were invalidated.
      await store.setParanoidToken(ref, 'tokenA');
      assert.deepEqual(
        (await store.getMessages(ref)).map((m) => m.code),
        ['S'],
      );
      // A fresh paranoid message of an invalidated code is valid again.
      await store.saveMessage(ref, paranoidMessage('L', 'ENC-L2', 'tokenA', at(5)));
      assert.deepEqual(await store.getMessages(ref), [
        message('S', 'plain status'),
        paranoidMessage('L', 'ENC-L2', 'tokenA', at(5)),
      ]);
    });

    test('writes not yet awaited are visible to the next read (read-your-writes)', async (t) => {
      const store = await fresh(t);
      const { ref } = await ownerWithVehicle(store);
      const pending = [
        store.saveMessage(ref, message('S', 'unawaited', at(30))),
        store.addHistory(ref, {
          type: 'RYW',
          recno: 7,
          timestamp: T0,
          data: Buffer.from('h'),
          expires: at(60),
        }),
        store.addUtilisation(ref, '2024-05-01', { carRx: 5, carTx: 6, appRx: 7, appTx: 8 }),
      ];
      assert.deepEqual(await store.getMessages(ref), [message('S', 'unawaited', at(30))]);
      assert.deepEqual((await store.getVehicle(ref))?.lastUpdate, at(30));
      assert.deepEqual(
        (await store.historyRecords(ref, 'RYW')).map((r) => r.recno),
        [7],
      );
      assert.deepEqual(await store.getUtilisation(ref, 1), [
        { day: '2024-05-01', carRx: 5, carTx: 6, appRx: 7, appTx: 8 },
      ]);
      await Promise.all(pending);
    });

    test('flush() resolves only after the pending writes have resolved', async (t) => {
      const store = await fresh(t);
      const { ref } = await ownerWithVehicle(store);
      let settled = false;
      const saving = store.saveMessage(ref, message('S', 'x')).then(() => {
        settled = true;
      });
      await store.flush();
      assert.equal(settled, true);
      await saving;
    });
  });
}
