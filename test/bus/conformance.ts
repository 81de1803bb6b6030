import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Bus, GroupEvent, VehicleEvent } from '../../src/bus/bus.js';

/**
 * The conformance suite of the Bus seam: every implementation runs it unchanged. `makeNodes(n)`
 * returns n nodes sharing one bus (one "network"); `crash`, when the implementation has leases,
 * makes a node vanish without cleaning up, as kill -9 would.
 */
export interface BusFactory {
  makeNodes(n: number): Promise<{ nodes: Bus[]; cleanup(): Promise<void> }>;
  crash?: (node: Bus) => Promise<void>;
}

function collector<T>() {
  const items: T[] = [];
  let wake: (() => void) | undefined;
  return {
    items,
    push: (item: T) => {
      items.push(item);
      wake?.();
    },
    async waitFor(count: number, timeoutMs = 5000): Promise<T[]> {
      const deadline = Date.now() + timeoutMs;
      while (items.length < count) {
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`expected ${count} events, got ${items.length}`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, left);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
      return items;
    },
  };
}

const line = (code: string, payload: string | Buffer) => ({
  code,
  payload: typeof payload === 'string' ? Buffer.from(payload) : payload,
});

export function busConformance(name: string, factory: BusFactory): void {
  describe(`bus conformance: ${name}`, () => {
    test('events reach subscribers on every node, the publisher included, in publish order', async (t) => {
      const { nodes, cleanup } = await factory.makeNodes(3);
      t.after(cleanup);
      const got = nodes.map(() => collector<VehicleEvent>());
      await Promise.all(nodes.map((n, i) => n.subscribe('1/CAR', got[i]!.push)));
      for (let i = 0; i < 100; i++)
        await nodes[i % 3]!.publish('1/CAR', { type: 'to-clients', lines: [line('S', String(i))] });
      for (const c of got) {
        const events = await c.waitFor(100);
        const order = events.map((e) => (e.type === 'to-clients' ? e.lines[0]!.payload.toString() : ''));
        // Per publisher the order holds; with one publisher per event index modulo 3, check each stream.
        for (let p = 0; p < 3; p++) {
          const mine = order.filter((v) => Number(v) % 3 === p).map(Number);
          assert.deepEqual(
            mine,
            [...mine].sort((a, b) => a - b),
          );
        }
        assert.equal(new Set(order).size, 100);
      }
    });

    test('payload bytes and every event type survive the trip unchanged', async (t) => {
      const { nodes, cleanup } = await factory.makeNodes(2);
      t.after(cleanup);
      const got = collector<VehicleEvent>();
      await nodes[1]!.subscribe('7/X', got.push);
      const bytes = Buffer.from([0, 1, 0x2c, 0xc3, 0xa9, 0xff, 0x0d, 0x0a]);
      const sent: VehicleEvent[] = [
        { type: 'to-clients', lines: [line('S', bytes), line('T', '0')] },
        { type: 'to-car', line: line('C', '7,stat'), requester: { node: 'n1', conn: '5', command: 7 } },
        { type: 'to-car', line: line('Q', 'x') },
        { type: 'to-conn', target: { node: 'n2', conn: '9' }, line: line('c', '7,0,ok') },
        { type: 'car-up', car: { node: 'n1', conn: '3' } },
        { type: 'car-down', car: { node: 'n1', conn: '3' } },
        { type: 'apps-changed' },
      ];
      for (const e of sent) await nodes[0]!.publish('7/X', e);
      assert.deepEqual(await got.waitFor(sent.length), sent);
    });

    test('unsubscribing stops delivery to that handler only', async (t) => {
      const { nodes, cleanup } = await factory.makeNodes(2);
      t.after(cleanup);
      const a = collector<VehicleEvent>();
      const b = collector<VehicleEvent>();
      const stopA = await nodes[1]!.subscribe('1/CAR', a.push);
      await nodes[1]!.subscribe('1/CAR', b.push);
      await stopA();
      await nodes[0]!.publish('1/CAR', { type: 'apps-changed' });
      await nodes[0]!.publish('2/OTHER', { type: 'apps-changed' });
      await b.waitFor(1);
      assert.equal(a.items.length, 0);
      assert.equal(b.items.length, 1);
    });

    test('group events reach every node', async (t) => {
      const { nodes, cleanup } = await factory.makeNodes(2);
      t.after(cleanup);
      const got = nodes.map(() => collector<GroupEvent>());
      await Promise.all(nodes.map((n, i) => n.subscribeGroups(got[i]!.push)));
      const e: GroupEvent = {
        type: 'group-update',
        group: 'CLUB',
        vehicleKey: '1/CAR',
        vehicleId: 'CAR',
        payload: '51.5,-0.1',
      };
      await nodes[0]!.publishGroup(e);
      for (const c of got) assert.deepEqual(await c.waitFor(1), [e]);
    });

    test('presence: the car is seen from every node and cleared only by its own connection', async (t) => {
      const { nodes, cleanup } = await factory.makeNodes(2);
      t.after(cleanup);
      const [a, b] = nodes as [Bus, Bus];
      assert.equal(await b.presence.getCar('1/CAR'), undefined);
      await a.presence.setCar('1/CAR', { node: a.nodeId, conn: '1' });
      assert.deepEqual(await b.presence.getCar('1/CAR'), { node: a.nodeId, conn: '1' });
      await b.presence.setCar('1/CAR', { node: b.nodeId, conn: '2' });
      await a.presence.clearCar('1/CAR', { node: a.nodeId, conn: '1' });
      assert.deepEqual(await a.presence.getCar('1/CAR'), { node: b.nodeId, conn: '2' });
      await b.presence.clearCar('1/CAR', { node: b.nodeId, conn: '2' });
      assert.equal(await a.presence.getCar('1/CAR'), undefined);
    });

    test('presence: app counts add up over nodes', async (t) => {
      const { nodes, cleanup } = await factory.makeNodes(3);
      t.after(cleanup);
      await nodes[0]!.presence.setAppCount('1/CAR', 2);
      await nodes[1]!.presence.setAppCount('1/CAR', 1);
      await nodes[2]!.presence.setAppCount('2/CAR', 5);
      assert.equal(await nodes[2]!.presence.getAppCount('1/CAR'), 3);
      await nodes[0]!.presence.setAppCount('1/CAR', 0);
      assert.equal(await nodes[1]!.presence.getAppCount('1/CAR'), 1);
      assert.equal(await nodes[1]!.presence.getAppCount('3/NONE'), 0);
    });

    test('a node that closes takes its app counts with it', async (t) => {
      const { nodes, cleanup } = await factory.makeNodes(2);
      t.after(cleanup);
      await nodes[0]!.presence.setAppCount('1/CAR', 2);
      await nodes[1]!.presence.setAppCount('1/CAR', 1);
      await nodes[0]!.close();
      assert.equal(await nodes[1]!.presence.getAppCount('1/CAR'), 1);
    });

    test('claims: one node holds a name until it releases it; of nodes claiming at once exactly one gets it', async (t) => {
      const { nodes, cleanup } = await factory.makeNodes(3);
      t.after(cleanup);
      const [a, b, c] = nodes as [Bus, Bus, Bus];
      assert.equal(await a.claim('v3:1/CAR'), true);
      assert.equal(await a.claim('v3:1/CAR'), true, 'the holder claims again');
      assert.equal(await b.claim('v3:1/CAR'), false);
      assert.equal(await b.claim('v3:2/CAR'), true, 'another name is free');
      await b.release('v3:1/CAR');
      assert.equal(await c.claim('v3:1/CAR'), false, 'only the holder releases');
      await a.release('v3:1/CAR');
      assert.equal(await c.claim('v3:1/CAR'), true);
      for (let round = 0; round < 20; round++) {
        const name = `v3:race/${round}`;
        const won = await Promise.all(nodes.map((n) => n.claim(name)));
        assert.equal(won.filter(Boolean).length, 1, `round ${round}: ${won}`);
      }
    });

    test('a node that closes gives its claims up', async (t) => {
      const { nodes, cleanup } = await factory.makeNodes(2);
      t.after(cleanup);
      assert.equal(await nodes[0]!.claim('v3:1/CAR'), true);
      await nodes[0]!.close();
      assert.equal(await nodes[1]!.claim('v3:1/CAR'), true);
    });

    if (factory.crash) {
      const crash = factory.crash;
      test('the claims of a crashed node lapse with its lease', async (t) => {
        const { nodes, cleanup } = await factory.makeNodes(2);
        t.after(cleanup);
        const [dead, alive] = nodes as [Bus, Bus];
        assert.equal(await dead.claim('v3:1/CAR'), true);
        await crash(dead);
        const deadline = Date.now() + 15_000;
        while (!(await alive.claim('v3:1/CAR'))) {
          assert.ok(Date.now() < deadline, 'the claim never lapsed');
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      });

      test('a crashed node loses its cars and apps after its lease, and the others are told', async (t) => {
        const { nodes, cleanup } = await factory.makeNodes(2);
        t.after(cleanup);
        const [dead, alive] = nodes as [Bus, Bus];
        const events = collector<VehicleEvent>();
        await alive.subscribe('1/CAR', events.push);
        await dead.presence.setCar('1/CAR', { node: dead.nodeId, conn: '4' });
        await dead.presence.setAppCount('1/CAR', 2);
        await alive.presence.setAppCount('1/CAR', 1);
        assert.equal(await alive.presence.getAppCount('1/CAR'), 3);
        await crash(dead);
        const got = await events.waitFor(2, 15_000);
        assert.deepEqual(got.map((e) => e.type).sort(), ['apps-changed', 'car-down']);
        assert.deepEqual(
          got.find((e) => e.type === 'car-down'),
          { type: 'car-down', car: { node: dead.nodeId, conn: '4' } },
        );
        assert.equal(await alive.presence.getCar('1/CAR'), undefined);
        assert.equal(await alive.presence.getAppCount('1/CAR'), 1);
      });
    }
  });
}
