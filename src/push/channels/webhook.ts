import { createHmac } from 'node:crypto';
import type { PushChannel, PushMessage, PushTarget, SendResult } from '../types.js';
import { httpResult, post } from './http-result.js';

export interface WebhookOptions {
  url: string;
  /** HMAC-SHA256 key; '' = unsigned. */
  secret: string;
}

/**
 * An operator's own endpoint: every alert of every vehicle as a JSON POST, signed with
 * `X-OVMS-Signature: sha256=<hex HMAC of "<timestamp>.<body>">` and `X-OVMS-Timestamp`.
 * No subscription needed (a sink).
 */
export class WebhookChannel implements PushChannel {
  readonly name = 'webhook';
  readonly pushTypes: readonly string[] = [];
  constructor(private readonly options: WebhookOptions) {}

  async send(_target: PushTarget, message: PushMessage): Promise<SendResult> {
    const body = JSON.stringify({
      vehicleId: message.vehicleId,
      owner: message.ownerName,
      type: message.type,
      text: message.text,
      time: message.time,
    });
    const timestamp = String(Math.floor(Date.now() / 1000));
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'user-agent': 'ovms-server',
      'x-ovms-timestamp': timestamp,
    };
    if (this.options.secret) {
      const hmac = createHmac('sha256', this.options.secret).update(`${timestamp}.${body}`).digest('hex');
      headers['x-ovms-signature'] = `sha256=${hmac}`;
    }
    const res = await post(this.options.url, { headers, body });
    await res.arrayBuffer().catch(() => {});
    return httpResult(res.status, res.statusText, res.headers.get('retry-after'));
  }

  async close(): Promise<void> {}
}
