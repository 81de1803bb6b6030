import { connect, type IPublishPacket, type MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import { redactUrl } from '../store/open-store.js';
import type { MqttHandler, MqttPort, MqttPublishOptions } from './mqtt-port.js';
import { topicMatches } from './topic-filter.js';

export interface ExternalBrokerOptions {
  /** `mqtt://user:password@host:1883`, `mqtts://…` for TLS: an account the broker lets do anything. */
  url: string;
  /** The server's MQTT client id: stable across restarts, so that the broker keeps its session. */
  clientId: string;
  log: Logger;
  /** Delay between reconnection attempts (default 5 s). */
  reconnectMs?: number;
  /** How long the broker keeps the session (and queues QoS 1/2 messages) while the server is away. */
  sessionExpirySeconds?: number;
}

interface Subscription {
  readonly id: number;
  readonly handlers: Set<MqttHandler>;
}

/** Why the URL cannot name a broker, or `undefined` when it can. */
export function brokerUrlProblem(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'not a URL';
  }
  if (!['mqtt:', 'mqtts:', 'ws:', 'wss:'].includes(parsed.protocol))
    return `scheme ${parsed.protocol} is not mqtt:, mqtts:, ws: or wss:`;
  if (parsed.hostname === '') return 'no host';
  return undefined;
}

/**
 * The MQTT port of an external broker (`mqtt.url`): the server is one client of it, with a
 * persistent session (MQTT 5, clean start off), so QoS 1/2 messages published while the server is
 * away wait at the broker. Every subscription is made at QoS 1 and acknowledged only once its
 * handlers' promises settle (`MqttHandler`). Each subscription carries its own identifier, so a
 * message matching two filters reaches each filter's handlers once. The client reconnects by itself;
 * the URL's password is never logged.
 */
export class ExternalBroker implements MqttPort {
  private readonly client: MqttClient;
  private readonly subscriptions = new Map<string, Subscription>();
  private nextId = 1;
  private down = false;
  private errorLogged = false;
  private closed = false;
  /** Messages that arrive before the first subscription (a queued session) wait for it. */
  private firstSubscription: Promise<void>;
  private subscribed!: () => void;

  constructor(private readonly opts: ExternalBrokerOptions) {
    const problem = brokerUrlProblem(opts.url);
    if (problem !== undefined) throw new Error(`mqtt.url ${redactUrl(opts.url)}: ${problem}`);
    this.firstSubscription = new Promise((resolve) => {
      this.subscribed = resolve;
    });
    const broker = redactUrl(opts.url);
    const log = opts.log;
    this.client = connect(opts.url, {
      clientId: opts.clientId,
      protocolVersion: 5,
      clean: false,
      properties: { sessionExpiryInterval: opts.sessionExpirySeconds ?? 86_400 },
      reconnectPeriod: opts.reconnectMs ?? 5000,
      connectTimeout: 30_000,
      resubscribe: true,
    });
    this.client.handleMessage = (packet, done) => {
      this.dispatch(packet).then(
        () => done(),
        () => done(),
      );
    };
    this.client.on('connect', (connack) => {
      this.down = false;
      this.errorLogged = false;
      log.info({ broker, sessionPresent: connack.sessionPresent }, 'connected to the external MQTT broker');
    });
    this.client.on('close', () => {
      if (this.closed || this.down) return;
      this.down = true;
      log.warn(
        { broker, retryS: (opts.reconnectMs ?? 5000) / 1000 },
        'external MQTT broker connection lost; reconnecting',
      );
    });
    this.client.on('error', (err) => {
      // One line per outage: a broker that stays away (or refuses the account) must not fill the log.
      if (this.errorLogged) return;
      this.errorLogged = true;
      log.warn({ broker, err: err.message }, 'external MQTT broker error');
    });
  }

  /** Whether the client is connected to the broker now. */
  get connected(): boolean {
    return this.client.connected;
  }

  private async dispatch(packet: IPublishPacket): Promise<void> {
    if (this.subscriptions.size === 0) await this.firstSubscription;
    const topic = packet.topic;
    const payload = Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload);
    const ids = packet.properties?.subscriptionIdentifier;
    const idList = ids === undefined ? [] : Array.isArray(ids) ? ids : [ids];
    // A message queued for a session older than this process may carry identifiers no longer in use.
    const known = [...this.subscriptions.values()].some((s) => idList.includes(s.id));
    const targets: Subscription[] = [];
    for (const [filter, sub] of this.subscriptions) {
      if (known ? idList.includes(sub.id) : topicMatches(filter, topic)) targets.push(sub);
    }
    const pending: Promise<void>[] = [];
    for (const sub of targets) {
      for (const handler of [...sub.handlers]) {
        try {
          const result = handler(topic, payload);
          if (result) pending.push(result);
        } catch (err) {
          this.opts.log.error({ err, topic }, 'MQTT message handler failed');
        }
      }
    }
    if (pending.length > 0) {
      for (const r of await Promise.allSettled(pending)) {
        if (r.status === 'rejected')
          this.opts.log.error({ err: r.reason, topic }, 'MQTT message handler failed');
      }
    }
  }

  async publish(topic: string, payload: Buffer | string, options: MqttPublishOptions = {}): Promise<void> {
    await this.client.publishAsync(topic, payload, {
      qos: options.qos ?? 0,
      retain: options.retain ?? false,
    });
  }

  async subscribe(filter: string, handler: MqttHandler): Promise<() => Promise<void>> {
    let sub = this.subscriptions.get(filter);
    if (!sub) {
      sub = { id: this.nextId++, handlers: new Set() };
      this.subscriptions.set(filter, sub);
    }
    sub.handlers.add(handler);
    const mine = sub;
    const grants = await this.client.subscribeAsync(filter, {
      qos: 1,
      properties: { subscriptionIdentifier: sub.id },
    });
    if (grants.some((g) => g.qos > 2)) {
      mine.handlers.delete(handler);
      if (mine.handlers.size === 0) this.subscriptions.delete(filter);
      throw new Error(`the external MQTT broker refused the subscription to ${filter}`);
    }
    this.subscribed();
    let done = false;
    return async () => {
      if (done) return;
      done = true;
      mine.handlers.delete(handler);
      if (mine.handlers.size > 0 || this.subscriptions.get(filter) !== mine) return;
      this.subscriptions.delete(filter);
      if (!this.closed) await this.client.unsubscribeAsync(filter);
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.subscribed();
    await this.client.endAsync();
  }
}
