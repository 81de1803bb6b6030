import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import type { Alert, Notifier } from '../notify/notifier.js';
import type { PushQueueItem, Store } from '../store/store.js';
import { formatAlert } from './format.js';
import {
  describeError,
  type PushChannel,
  type PushMessage,
  type PushTarget,
  type SendResult,
} from './types.js';
import type { VeceTables } from './vece.js';

export interface PushDispatcherOptions {
  store: Store;
  log: Logger;
  channels: PushChannel[];
  vece: VeceTables;
  /** Identical alerts (vehicle, type, text) within this many ms are pushed once; 0 = off. */
  throttleMs: number;
  /** Deliveries given up after this many attempts. */
  maxAttempts: number;
  /** First retry delay; doubles per attempt up to retryMaxMs. */
  retryBaseMs: number;
  retryMaxMs: number;
  /** Drop `E` alerts with `: DMC:` in their text. */
  suppressDebug: boolean;
  /** How often the queue is looked at when nothing woke the dispatcher (other nodes, retries). */
  pollMs?: number;
  /** How long a claimed item is held before another dispatcher may take it over. */
  leaseMs?: number;
  /** Items sent at once. */
  batch?: number;
}

/** One delivery's outcome, emitted as 'outcome' (for logs, tests and `push test`). */
export interface DeliveryOutcome {
  channel: string;
  target: PushTarget;
  result: SendResult;
  attempts: number;
  /** The dispatcher's decision: done, retry scheduled, subscription removed, given up. */
  action: 'done' | 'retry' | 'removed' | 'gave-up';
}

/** Queue payloads: an accepted alert (fanned out later), or one delivery to one target. */
type QueuePayload =
  | { kind: 'alert'; alert: Omit<Alert, 'time'> & { time: string } }
  | { kind: 'delivery'; channel: string; target: PushTarget; message: PushMessage };

/**
 * Pushes alerts to every subscription of their vehicle, off the hot path: `notify` only writes the
 * alert to the store's durable queue, and a background loop fans it out into one delivery per
 * subscription, sends them through the channels, retries with exponential backoff, and deletes the
 * subscriptions the provider reports as dead. What was queued before a restart is sent after it.
 */
export class PushDispatcher extends EventEmitter implements Notifier {
  readonly #o: Required<PushDispatcherOptions>;
  readonly #byType = new Map<string, PushChannel>();
  /** Channels that get every alert without a subscription (webhook). */
  readonly #sinks: PushChannel[] = [];
  readonly #recent = new Map<string, number>();
  #running = false;
  #loop: Promise<void> | undefined;
  #wake: (() => void) | undefined;
  #kicked = false;

  constructor(options: PushDispatcherOptions) {
    super();
    this.#o = { pollMs: 1000, leaseMs: 60_000, batch: 20, ...options };
    for (const channel of options.channels) {
      if (channel.pushTypes.length === 0) this.#sinks.push(channel);
      for (const type of channel.pushTypes) this.#byType.set(type, channel);
      channel.start?.({ dead: (target, reason) => void this.#removeDead(channel.name, target, reason) });
    }
  }

  get channels(): readonly PushChannel[] {
    return this.#o.channels;
  }

  channelFor(pushType: string): PushChannel | undefined {
    return this.#byType.get(pushType.toLowerCase());
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#loop = this.#run();
  }

  async notify(alert: Alert): Promise<void> {
    if (this.#throttled(alert)) {
      this.#o.log.debug(
        { vehicle: alert.vehicleId, alertType: alert.type },
        'push alert throttled (identical)',
      );
      return;
    }
    const payload: QueuePayload = { kind: 'alert', alert: { ...alert, time: alert.time.toISOString() } };
    await this.#o.store.enqueuePush([JSON.stringify(payload)]);
    this.#kick();
  }

  /** Stops the loop after the sends in progress; what is left stays queued for the next start. */
  async close(): Promise<void> {
    this.#running = false;
    this.#kick();
    await this.#loop;
    await Promise.all(this.#o.channels.map((c) => c.close().catch(() => {})));
  }

  #throttled(alert: Alert): boolean {
    const window = this.#o.throttleMs;
    if (window <= 0) return false;
    const now = Date.now();
    if (this.#recent.size > 10_000) {
      for (const [key, at] of this.#recent) if (now - at >= window) this.#recent.delete(key);
    }
    const key = `${alert.ownerId}\u0000${alert.vehicleId}\u0000${alert.type}\u0000${alert.text}`;
    const last = this.#recent.get(key);
    if (last !== undefined && now - last < window) return true;
    this.#recent.set(key, now);
    return false;
  }

  #kick(): void {
    this.#kicked = true;
    this.#wake?.();
  }

  async #run(): Promise<void> {
    while (this.#running) {
      this.#kicked = false;
      let items: PushQueueItem[] = [];
      try {
        const now = Date.now();
        items = await this.#o.store.claimPush(new Date(now), this.#o.batch, new Date(now + this.#o.leaseMs));
      } catch (error) {
        if (this.#running) this.#o.log.warn({ err: describeError(error) }, 'push queue unavailable');
      }
      await Promise.all(items.map((item) => this.#process(item)));
      if (items.length === this.#o.batch || this.#kicked || !this.#running) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.#o.pollMs);
        timer.unref();
        this.#wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.#wake = undefined;
    }
  }

  async #process(item: PushQueueItem): Promise<void> {
    try {
      const payload = JSON.parse(item.payload) as QueuePayload;
      if (payload.kind === 'alert') await this.#fanOut(item, payload.alert);
      else await this.#deliver(item, payload);
    } catch (error) {
      // A store hiccup: the lease runs out and the item is claimed again.
      this.#o.log.warn({ item: item.id, err: describeError(error) }, 'push item failed; it will be retried');
    }
  }

  async #fanOut(item: PushQueueItem, stored: Omit<Alert, 'time'> & { time: string }): Promise<void> {
    const alert: Alert = { ...stored, time: new Date(stored.time) };
    const message = formatAlert(alert, this.#o);
    const ref = { ownerId: alert.ownerId, vehicleId: alert.vehicleId };
    if (!message) {
      this.#o.log.info({ vehicle: alert.vehicleId, alertType: alert.type }, 'debug alert not pushed');
      await this.#o.store.finishPush(item.id);
      return;
    }
    const deliveries: QueuePayload[] = [];
    for (const sub of await this.#o.store.listPushSubscriptions(ref)) {
      const channel = this.channelFor(sub.pushType);
      if (!channel) {
        this.#o.log.debug(
          { vehicle: sub.vehicleId, appId: sub.appId, pushType: sub.pushType },
          'no push channel configured for this subscription',
        );
        continue;
      }
      const { lastUpdated: _, ...target } = sub;
      deliveries.push({ kind: 'delivery', channel: channel.name, target, message });
    }
    for (const sink of this.#sinks) {
      const target = {
        ...ref,
        appId: `*${sink.name}`,
        pushType: sink.name,
        pushKeyType: '',
        pushKeyValue: '',
      };
      deliveries.push({ kind: 'delivery', channel: sink.name, target, message });
    }
    this.#o.log.info(
      { vehicle: alert.vehicleId, alertType: alert.type, deliveries: deliveries.length },
      'push alert accepted',
    );
    // At least once: a crash between these two writes sends the alert twice, never zero times.
    if (deliveries.length > 0) await this.#o.store.enqueuePush(deliveries.map((d) => JSON.stringify(d)));
    await this.#o.store.finishPush(item.id);
    if (deliveries.length > 0) this.#kick();
  }

  async #deliver(item: PushQueueItem, d: Extract<QueuePayload, { kind: 'delivery' }>): Promise<void> {
    const channel = this.#o.channels.find((c) => c.name === d.channel);
    let result: SendResult;
    if (!channel) result = { status: 'failed', reason: `channel ${d.channel} is no longer configured` };
    else {
      try {
        result = await channel.send(d.target, d.message);
      } catch (error) {
        result = { status: 'retry', reason: describeError(error) };
      }
    }
    let action: DeliveryOutcome['action'] = 'done';
    if (result.status === 'retry') {
      if (item.attempts >= this.#o.maxAttempts) {
        action = 'gave-up';
        await this.#o.store.finishPush(item.id);
      } else {
        action = 'retry';
        const backoff = Math.min(this.#o.retryMaxMs, this.#o.retryBaseMs * 2 ** (item.attempts - 1));
        const delay = Math.max(backoff * (1 + Math.random() * 0.1), result.retryAfterMs ?? 0);
        await this.#o.store.retryPush(item.id, new Date(Date.now() + delay));
      }
    } else {
      if (result.status === 'dead') {
        action = 'removed';
        await this.#removeDead(d.channel, d.target, result.reason);
      }
      await this.#o.store.finishPush(item.id);
    }
    const where = {
      vehicle: d.target.vehicleId,
      appId: d.target.appId,
      channel: d.channel,
      attempts: item.attempts,
    };
    if (result.status === 'delivered') this.#o.log.info(where, 'push delivered');
    else
      this.#o.log.warn(
        { ...where, status: result.status, reason: result.reason, action },
        'push not delivered',
      );
    this.emit('outcome', { channel: d.channel, target: d.target, result, attempts: item.attempts, action });
  }

  /** Deletes a subscription the provider reports as gone, unless the app has re-registered since. */
  async #removeDead(channel: string, target: PushTarget, reason: string): Promise<void> {
    if (target.appId.startsWith('*')) return;
    try {
      const ref = { ownerId: target.ownerId, vehicleId: target.vehicleId };
      const current = (await this.#o.store.listPushSubscriptions(ref)).find((s) => s.appId === target.appId);
      if (!current || current.pushKeyValue !== target.pushKeyValue) return;
      await this.#o.store.deletePushSubscription(ref, target.appId);
      this.#o.log.info(
        { vehicle: target.vehicleId, appId: target.appId, channel, reason },
        'dead push subscription removed',
      );
      this.emit('removed', target);
    } catch (error) {
      this.#o.log.warn({ err: describeError(error) }, 'could not remove a dead push subscription');
    }
  }
}
