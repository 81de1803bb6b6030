import type { PushChannel, PushMessage, PushTarget, SendResult } from '../types.js';
import { httpResult, post } from './http-result.js';

export interface NtfyOptions {
  /** The ntfy server, e.g. https://ntfy.sh. */
  url: string;
  /** Access token for protected topics; '' = none. */
  token: string;
}

/** ntfy (https://ntfy.sh): subscriptions of push type `ntfy` whose key is the topic name. */
export class NtfyChannel implements PushChannel {
  readonly name = 'ntfy';
  readonly pushTypes = ['ntfy'] as const;
  constructor(private readonly options: NtfyOptions) {}

  async send(target: PushTarget, message: PushMessage): Promise<SendResult> {
    const topic = target.pushKeyValue.trim();
    if (!/^[-_A-Za-z0-9]{1,64}$/.test(topic)) return { status: 'failed', reason: 'not a valid ntfy topic' };
    const headers: Record<string, string> = {
      'content-type': 'text/plain; charset=utf-8',
      title: `OVMS ${message.vehicleId}`,
      priority: message.type === 'I' ? '3' : '4',
      tags: message.type === 'A' ? 'warning' : message.type === 'E' ? 'rotating_light' : 'information_source',
    };
    if (this.options.token) headers.authorization = `Bearer ${this.options.token}`;
    const res = await post(`${this.options.url.replace(/\/+$/, '')}/${topic}`, {
      headers,
      body: message.text,
    });
    await res.arrayBuffer().catch(() => {});
    return httpResult(res.status, res.statusText, res.headers.get('retry-after'));
  }

  async close(): Promise<void> {}
}
