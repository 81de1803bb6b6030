import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import type { MqttClient } from 'mqtt';
import type { MqttPort } from '../../src/mqtt/mqtt-port.js';

/**
 * The conformance suite of the MqttPort seam (src/mqtt/mqtt-port.ts): the embedded broker and the
 * external client run it unchanged. A factory gives a port, a topic prefix under which an outside
 * client (a module, Home Assistant) may publish and subscribe, and such a client.
 */
export interface MqttPortFactory {
  make(): Promise<{
    port: MqttPort;
    /** Ends with `/`; unique per call, so parallel runs on one broker do not meet. */
    prefix: string;
    /** A client of the same broker allowed to publish and subscribe under `prefix`. */
    client(): Promise<MqttClient>;
    cleanup(): Promise<void>;
  }>;
}

/** A unique topic prefix in the owner/vehicle layout. */
export function uniquePrefix(): string {
  return `ovms/conf${randomBytes(4).toString('hex')}/V${randomBytes(3).toString('hex')}/`;
}

/** Collects (topic, payload) pairs and lets a test await them without sleeping. */
export class Inbox {
  readonly items: [string, string][] = [];
  private wake: (() => void) | undefined;

  readonly handler = (topic: string, payload: Buffer): void => {
    this.items.push([topic, payload.toString()]);
    this.wake?.();
  };

  async waitFor(count: number, timeoutMs = 5000): Promise<[string, string][]> {
    const deadline = Date.now() + timeoutMs;
    while (this.items.length < count) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`expected ${count} messages, got ${JSON.stringify(this.items)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    return this.items;
  }
}

/** Publishes from a client and waits for the broker's acknowledgement (QoS 1). */
async function publish(client: MqttClient, topic: string, payload: string, retain = false): Promise<void> {
  await client.publishAsync(topic, payload, { qos: 1, retain });
}

/** A marker message after which nothing earlier can still be in flight on that path. */
async function fence(port: MqttPort, client: MqttClient, prefix: string): Promise<void> {
  const topic = `${prefix}fence/${randomBytes(3).toString('hex')}`;
  const seen = new Inbox();
  const stop = await port.subscribe(topic, seen.handler);
  await publish(client, topic, 'x');
  await seen.waitFor(1);
  await stop();
}

export function mqttPortConformance(name: string, factory: MqttPortFactory): void {
  describe(`MqttPort conformance: ${name}`, () => {
    test('a subscription gets what other clients publish on matching topics, and only that', async (t) => {
      const { port, prefix, client, cleanup } = await factory.make();
      t.after(cleanup);
      const module = await client();
      const all = new Inbox();
      const metrics = new Inbox();
      await port.subscribe(`${prefix}#`, all.handler);
      await port.subscribe(`${prefix}metric/+/+/soc`, metrics.handler);
      await publish(module, `${prefix}metric/v/b/soc`, '80.5');
      await publish(module, `${prefix}metric/v/b/range/est`, '200');
      await publish(module, `${prefix}notify/alert/charge/stopped`, 'Charge stopped');
      assert.deepEqual(await all.waitFor(3), [
        [`${prefix}metric/v/b/soc`, '80.5'],
        [`${prefix}metric/v/b/range/est`, '200'],
        [`${prefix}notify/alert/charge/stopped`, 'Charge stopped'],
      ]);
      await fence(port, module, prefix);
      // A message matching two subscriptions reaches each one's handler exactly once.
      assert.deepEqual(metrics.items, [[`${prefix}metric/v/b/soc`, '80.5']]);
    });

    test('retained messages arrive when a subscription starts; an empty retained payload clears one', async (t) => {
      const { port, prefix, client, cleanup } = await factory.make();
      t.after(cleanup);
      const module = await client();
      await publish(module, `${prefix}metric/v/b/soc`, '55', true);
      await publish(module, `${prefix}metric/v/e/locked`, 'yes', true);
      await publish(module, `${prefix}metric/v/e/locked`, '', true);
      const inbox = new Inbox();
      await port.subscribe(`${prefix}metric/#`, inbox.handler);
      assert.deepEqual(await inbox.waitFor(1), [[`${prefix}metric/v/b/soc`, '55']]);
      await fence(port, module, prefix);
      assert.equal(inbox.items.length, 1);
      await publish(module, `${prefix}metric/v/b/soc`, '', true);
    });

    test("the port's publishes reach other clients, retained ones later subscribers too", async (t) => {
      const { port, prefix, client, cleanup } = await factory.make();
      t.after(cleanup);
      const watcher = await client();
      const live = new Inbox();
      watcher.on('message', (topic, payload) => live.handler(topic, payload));
      await watcher.subscribeAsync(`${prefix}#`, { qos: 1 });
      await port.publish(`${prefix}client/srv/command/1`, 'lock 1234', { qos: 1 });
      await port.publish(`${prefix}metric/v/b/soc`, '64', { retain: true, qos: 1 });
      assert.deepEqual(await live.waitFor(2), [
        [`${prefix}client/srv/command/1`, 'lock 1234'],
        [`${prefix}metric/v/b/soc`, '64'],
      ]);
      const later = await client();
      const retained = new Inbox();
      later.on('message', (topic, payload) => retained.handler(topic, payload));
      await later.subscribeAsync(`${prefix}#`, { qos: 1 });
      assert.deepEqual(await retained.waitFor(1), [[`${prefix}metric/v/b/soc`, '64']]);
      await port.publish(`${prefix}metric/v/b/soc`, '', { retain: true, qos: 1 });
    });

    test('ending a subscription stops its handler and leaves the others', async (t) => {
      const { port, prefix, client, cleanup } = await factory.make();
      t.after(cleanup);
      const module = await client();
      const first = new Inbox();
      const second = new Inbox();
      const stopFirst = await port.subscribe(`${prefix}notify/#`, first.handler);
      await port.subscribe(`${prefix}notify/#`, second.handler);
      await publish(module, `${prefix}notify/info/a`, 'one');
      await first.waitFor(1);
      await second.waitFor(1);
      await stopFirst();
      await stopFirst(); // twice is harmless
      await publish(module, `${prefix}notify/info/a`, 'two');
      await second.waitFor(2);
      await fence(port, module, prefix);
      assert.deepEqual(first.items, [[`${prefix}notify/info/a`, 'one']]);
    });

    test('a handler that returns a promise is awaited; a failing handler does not stop delivery', async (t) => {
      const { port, prefix, client, cleanup } = await factory.make();
      t.after(cleanup);
      const module = await client();
      const inbox = new Inbox();
      let settled = 0;
      await port.subscribe(`${prefix}notify/data/#`, async (topic, payload) => {
        await new Promise((resolve) => setTimeout(resolve, 5));
        settled++;
        if (payload.toString() === 'bad') throw new Error('refused');
        inbox.handler(topic, payload);
      });
      await publish(module, `${prefix}notify/data/log/1/0`, 'bad');
      await publish(module, `${prefix}notify/data/log/2/0`, 'good');
      assert.deepEqual(await inbox.waitFor(1), [[`${prefix}notify/data/log/2/0`, 'good']]);
      assert.equal(settled, 2);
    });
  });
}
