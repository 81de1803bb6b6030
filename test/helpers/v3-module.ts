import { randomBytes } from 'node:crypto';
import { connectAsync, type MqttClient } from 'mqtt';

/** The Mosquitto service of the test machine (anonymous access). */
export const MOSQUITTO_URL = process.env.OVMS_TEST_MQTT_URL ?? 'mqtt://127.0.0.1:1883';

/** A name unique to this run, for owners and vehicle ids that share one broker with other tests. */
export function uniqueName(stem: string): string {
  return `${stem}${randomBytes(4).toString('hex').toUpperCase()}`;
}

/** Collects (topic, payload) pairs of a client and lets a test await one without sleeping. */
export class MqttInbox {
  readonly items: [string, string][] = [];
  private waiters: (() => void)[] = [];

  constructor(client: MqttClient) {
    client.on('message', (topic, payload) => {
      this.items.push([topic, payload.toString()]);
      const w = this.waiters;
      this.waiters = [];
      for (const f of w) f();
    });
  }

  /** The first message (from the start) on a topic matching `test`, waiting for it if need be. */
  async find(test: (topic: string, payload: string) => boolean, timeoutMs = 5000): Promise<[string, string]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hit = this.items.find(([t, p]) => test(t, p));
      if (hit) return hit;
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(`no matching MQTT message; got ${JSON.stringify(this.items.slice(-10))}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Takes (removes) the first message on exactly this topic. */
  async take(topic: string, timeoutMs = 5000): Promise<string> {
    const hit = await this.find((t) => t === topic, timeoutMs);
    this.items.splice(this.items.indexOf(hit), 1);
    return hit[1];
  }
}

/**
 * A v3 module as the firmware behaves on MQTT (V3.md §1–§7), built on mqtt.js: a will of `no` on
 * `metric/s/v3/connected`, retained metrics, and the subscriptions to its client topics. Commands
 * are answered by `answer` (shell line → output, or `undefined` for no answer); config requests
 * from `config`.
 */
export class V3Module {
  readonly inbox: MqttInbox;
  answer: (line: string) => string | undefined = () => 'OK';
  config: Record<string, string> = {};

  private constructor(
    readonly client: MqttClient,
    readonly prefix: string,
  ) {
    this.inbox = new MqttInbox(client);
    client.on('message', (topic, payload) => {
      const rest = topic.slice(prefix.length).split('/');
      if (rest[0] !== 'client') return;
      const [, cid, what, id] = rest;
      const text = payload.toString();
      if (what === 'command' && id !== undefined) {
        const output = this.answer(text);
        if (output !== undefined)
          void client.publishAsync(`${prefix}client/${cid}/response/${id}`, output, { qos: 1 });
      } else if (what === 'request' && id === 'config') {
        const value = this.config[text.trim()];
        if (value !== undefined) {
          const levels = text.trim().replaceAll('.', '/');
          void client.publishAsync(`${prefix}client/${cid}/config/${levels}`, value);
        }
      }
    });
  }

  static async connect(owner: string, vehicleId: string, url = MOSQUITTO_URL): Promise<V3Module> {
    const prefix = `ovms/${owner}/${vehicleId}/`;
    const client = await connectAsync(url, {
      clientId: `${vehicleId}-${randomBytes(3).toString('hex')}`,
      protocolVersion: 4,
      reconnectPeriod: 0,
      will: { topic: `${prefix}metric/s/v3/connected`, payload: Buffer.from('no'), retain: true, qos: 0 },
    });
    await client.subscribeAsync(
      ['active', 'command/+', 'request/metric', 'request/config'].map((t) => `${prefix}client/+/${t}`),
      { qos: 1 },
    );
    return new V3Module(client, prefix);
  }

  /** Publishes metrics as the module does: retained, QoS 0 (names dotted). */
  async metrics(values: Record<string, string>): Promise<void> {
    for (const [name, value] of Object.entries(values))
      await this.client.publishAsync(`${this.prefix}metric/${name.replaceAll('.', '/')}`, value, {
        retain: true,
      });
  }

  online(): Promise<void> {
    return this.metrics({ 's.v3.connected': 'yes' });
  }

  async notify(path: string, text: string, qos: 1 | 2 = 1): Promise<void> {
    await this.client.publishAsync(`${this.prefix}notify/${path}`, text, { qos });
  }

  /** Drops the TCP connection without DISCONNECT, as the firmware always does: the will fires. */
  crash(): void {
    this.client.stream.destroy();
    this.client.end(true);
  }

  /** Clears the retained topics it left on the broker and disconnects. */
  async close(names: string[]): Promise<void> {
    if (this.client.connected) {
      for (const name of [...names, 's.v3.connected'])
        await this.client.publishAsync(`${this.prefix}metric/${name.replaceAll('.', '/')}`, '', {
          retain: true,
        });
      await this.client.endAsync();
    }
  }
}

/**
 * Removes what a module with a persistent session leaves on the shared broker: its retained
 * metrics under `prefix`, and (with `clientId`) its session, discarded by a clean-session login.
 */
export async function clearModuleTraces(
  prefix: string,
  metricNames: string[],
  clientId?: string,
): Promise<void> {
  const cleaner = await connectAsync(MOSQUITTO_URL, {
    clientId: clientId ?? uniqueName('clean'),
    clean: true,
    protocolVersion: 4,
    reconnectPeriod: 0,
  });
  for (const name of [...metricNames, 's.v3.connected'])
    await cleaner.publishAsync(`${prefix}metric/${name.replaceAll('.', '/')}`, '', { retain: true });
  await cleaner.endAsync();
}
