import type { ChannelHooks, PushChannel, PushMessage, PushTarget, SendResult } from '../types.js';
import { describeError } from '../types.js';
import { httpResult, post } from './http-result.js';

export interface ExpoOptions {
  /** Expo API base, e.g. https://exp.host. */
  url: string;
  /** Expo access token (enhanced push security); '' = none. */
  accessToken: string;
  /** Messages sent in one request (Expo allows 100). */
  batchSize?: number;
  /** How long sends wait to be batched together (ms). */
  batchDelayMs?: number;
  /** Receipts are fetched this long after the ticket (Expo suggests ~15 minutes; ms). */
  receiptDelayMs?: number;
}

interface Pending {
  target: PushTarget;
  message: PushMessage;
  resolve(result: SendResult): void;
}

interface Ticket {
  id: string;
  target: PushTarget;
  at: number;
}

/** Expo push: sends batched into one request, then receipts checked later for dead devices. */
export class ExpoChannel implements PushChannel {
  readonly name = 'expo';
  readonly pushTypes = ['expo'] as const;
  #queue: Pending[] = [];
  #timer: NodeJS.Timeout | undefined;
  #tickets: Ticket[] = [];
  #receiptTimer: NodeJS.Timeout | undefined;
  #hooks: ChannelHooks | undefined;
  #closed = false;

  constructor(private readonly options: ExpoOptions) {}

  start(hooks: ChannelHooks): void {
    this.#hooks = hooks;
  }

  #headers(): Record<string, string> {
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      accept: 'application/json',
    };
    if (this.options.accessToken) headers.authorization = `Bearer ${this.options.accessToken}`;
    return headers;
  }

  #api(path: string): string {
    return `${this.options.url.replace(/\/+$/, '')}/--/api/v2/push/${path}`;
  }

  send(target: PushTarget, message: PushMessage): Promise<SendResult> {
    if (!/^Expo(nent)?PushToken\[.+\]$/.test(target.pushKeyValue.trim())) {
      return Promise.resolve({ status: 'failed', reason: 'not an Expo push token' });
    }
    return new Promise((resolve) => {
      this.#queue.push({ target, message, resolve });
      if (this.#queue.length >= (this.options.batchSize ?? 90)) this.#flush();
      else this.#timer ??= setTimeout(() => this.#flush(), this.options.batchDelayMs ?? 20);
    });
  }

  #flush(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const batch = this.#queue.splice(0, this.options.batchSize ?? 90);
    if (this.#queue.length > 0) this.#timer = setTimeout(() => this.#flush(), 0);
    if (batch.length > 0) void this.#sendBatch(batch);
  }

  async #sendBatch(batch: Pending[]): Promise<void> {
    const body = batch.map(({ target, message }) => ({
      to: target.pushKeyValue.trim(),
      title: `Open Vehicles ${message.vehicleId}`,
      body: message.text,
      sound: 'default',
      badge: 0,
      data: {
        vehicleid: message.vehicleId,
        alerttype: message.type,
        sent: Math.floor(Date.parse(message.time) / 1000),
      },
    }));
    let results: SendResult[];
    try {
      const res = await post(this.#api('send'), { headers: this.#headers(), body: JSON.stringify(body) });
      const json = (await res.json().catch(() => undefined)) as
        | { data?: { status?: string; id?: string; message?: string; details?: { error?: string } }[] }
        | undefined;
      if (!res.ok || !Array.isArray(json?.data)) {
        const r = httpResult(res.ok ? 502 : res.status, 'Expo send failed', res.headers.get('retry-after'));
        results = batch.map(() => r);
      } else {
        results = batch.map((p, i) => {
          const ticket = json.data?.[i];
          if (ticket?.status === 'ok') {
            if (ticket.id) this.#tickets.push({ id: ticket.id, target: p.target, at: Date.now() });
            return { status: 'delivered', detail: ticket.id };
          }
          const error = ticket?.details?.error ?? '';
          const reason = `${error} ${ticket?.message ?? 'no ticket'}`.trim();
          if (error === 'DeviceNotRegistered') return { status: 'dead', reason };
          if (error === 'MessageRateExceeded') return { status: 'retry', reason };
          return { status: 'failed', reason };
        });
        this.#scheduleReceipts();
      }
    } catch (error) {
      results = batch.map(() => ({ status: 'retry', reason: describeError(error) }));
    }
    for (const [i, p] of batch.entries()) p.resolve(results[i] ?? { status: 'retry', reason: 'no result' });
  }

  #scheduleReceipts(): void {
    if (this.#receiptTimer || this.#closed || this.#tickets.length === 0) return;
    this.#receiptTimer = setTimeout(
      () => {
        this.#receiptTimer = undefined;
        void this.checkReceipts().finally(() => this.#scheduleReceipts());
      },
      this.options.receiptDelayMs ?? 15 * 60_000,
    );
    this.#receiptTimer.unref();
  }

  /** Fetches receipts for tickets old enough; DeviceNotRegistered removes the subscription. */
  async checkReceipts(): Promise<void> {
    const delay = this.options.receiptDelayMs ?? 15 * 60_000;
    const now = Date.now();
    // Expo keeps receipts for a day; tickets we could not check within 30 minutes of due are dropped.
    this.#tickets = this.#tickets.filter((t) => now - t.at < delay + 30 * 60_000);
    const due = this.#tickets.filter((t) => now - t.at >= delay).slice(0, 300);
    if (due.length === 0) return;
    try {
      const res = await post(this.#api('getReceipts'), {
        headers: this.#headers(),
        body: JSON.stringify({ ids: due.map((t) => t.id) }),
      });
      const json = (await res.json().catch(() => undefined)) as
        | { data?: Record<string, { status?: string; details?: { error?: string }; message?: string }> }
        | undefined;
      if (!res.ok || !json?.data) return;
      const checked = new Set(due.map((t) => t.id));
      for (const ticket of due) {
        const receipt = json.data[ticket.id];
        if (receipt?.status === 'error' && receipt.details?.error === 'DeviceNotRegistered') {
          this.#hooks?.dead(ticket.target, `receipt: DeviceNotRegistered ${receipt.message ?? ''}`.trim());
        }
      }
      this.#tickets = this.#tickets.filter((t) => !checked.has(t.id));
    } catch {
      // Tried again on the next round.
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#receiptTimer);
    this.#flush();
  }
}
