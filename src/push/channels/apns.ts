import { type ClientHttp2Session, connect, constants } from 'node:http2';
import {
  describeError,
  type PushChannel,
  type PushMessage,
  type PushTarget,
  type SendResult,
} from '../types.js';
import { signJwt } from './jwt.js';

export interface ApnsOptions {
  /** Production endpoint, e.g. https://api.push.apple.com. */
  url: string;
  /** Development endpoint, for subscriptions with key type `sandbox`. */
  sandboxUrl: string;
  /** The app's bundle id (apns-topic). */
  topic: string;
  /** Token auth: the .p8 key (PEM), its key id and the team id. */
  key?: { pem: string; keyId: string; teamId: string };
  /** Certificate auth: client certificate and key (PEM). */
  cert?: { cert: string; key: string };
  /** Extra CA certificates to trust (PEM), for a proxy or a test server. */
  ca?: string;
  timeoutMs?: number;
}

/** APNs reasons that mean the device token is gone or was never valid for this topic. */
const DEAD_REASONS = new Set(['BadDeviceToken', 'Unregistered', 'DeviceTokenNotForTopic']);

/** Apple Push Notification service over HTTP/2, with token (JWT) or certificate authentication. */
export class ApnsChannel implements PushChannel {
  readonly name = 'apns';
  readonly pushTypes = ['apns'] as const;
  readonly #sessions = new Map<string, ClientHttp2Session>();
  #jwt: { token: string; at: number } | undefined;

  constructor(private readonly options: ApnsOptions) {
    if (!options.key && !options.cert) throw new Error('APNs needs a .p8 key or a client certificate');
  }

  #bearer(force = false): string | undefined {
    const key = this.options.key;
    if (!key) return undefined;
    // Apple accepts a provider token for an hour and refuses refreshing more than every 20 minutes.
    if (force || !this.#jwt || Date.now() - this.#jwt.at > 50 * 60_000) {
      const iat = Math.floor(Date.now() / 1000);
      this.#jwt = {
        token: signJwt('ES256', key.pem, { iss: key.teamId, iat }, { kid: key.keyId }),
        at: Date.now(),
      };
    }
    return this.#jwt.token;
  }

  #session(origin: string): ClientHttp2Session {
    const existing = this.#sessions.get(origin);
    if (existing && !existing.closed && !existing.destroyed) return existing;
    const session = connect(origin, {
      ...(this.options.cert ? { cert: this.options.cert.cert, key: this.options.cert.key } : {}),
      ...(this.options.ca ? { ca: this.options.ca } : {}),
    });
    session.on('error', () => this.#sessions.delete(origin));
    session.on('close', () => this.#sessions.delete(origin));
    session.on('goaway', () => this.#sessions.delete(origin));
    session.unref();
    this.#sessions.set(origin, session);
    return session;
  }

  async send(target: PushTarget, message: PushMessage): Promise<SendResult> {
    const token = target.pushKeyValue.trim();
    if (token.startsWith('{length=') || !/^[0-9a-fA-F]{16,200}$/.test(token)) {
      return { status: 'failed', reason: 'not an APNs device token' };
    }
    const origin = target.pushKeyType === 'sandbox' ? this.options.sandboxUrl : this.options.url;
    const body = JSON.stringify({
      aps: { alert: `${message.vehicleId}\n${message.text}`, badge: 0, sound: 'default' },
    });
    let result = await this.#post(origin, token, body, false);
    if (result.status === 'retry' && result.reason.includes('ExpiredProviderToken')) {
      result = await this.#post(origin, token, body, true);
    }
    return result;
  }

  #post(origin: string, token: string, body: string, freshToken: boolean): Promise<SendResult> {
    return new Promise((resolve) => {
      let session: ClientHttp2Session;
      try {
        session = this.#session(origin);
      } catch (error) {
        resolve({ status: 'retry', reason: describeError(error) });
        return;
      }
      const headers: Record<string, string> = {
        [constants.HTTP2_HEADER_METHOD]: 'POST',
        [constants.HTTP2_HEADER_PATH]: `/3/device/${token}`,
        'content-type': 'application/json',
        'apns-topic': this.options.topic,
        'apns-push-type': 'alert',
        'apns-priority': '10',
      };
      const bearer = this.#bearer(freshToken);
      if (bearer) headers.authorization = `bearer ${bearer}`;
      const req = session.request(headers);
      req.setTimeout(this.options.timeoutMs ?? 15_000, () => req.close(constants.NGHTTP2_CANCEL));
      let status = 0;
      let apnsId = '';
      let text = '';
      req.on('response', (h) => {
        status = Number(h[constants.HTTP2_HEADER_STATUS]);
        apnsId = String(h['apns-id'] ?? '');
      });
      req.setEncoding('utf8');
      req.on('data', (chunk: string) => {
        text += chunk;
      });
      req.on('error', (error) => resolve({ status: 'retry', reason: describeError(error) }));
      req.on('close', () => {
        if (status === 0) {
          resolve({ status: 'retry', reason: 'no response from APNs' });
          return;
        }
        let reason = '';
        try {
          reason = String((JSON.parse(text) as { reason?: unknown }).reason ?? '');
        } catch {}
        if (status === 200) resolve({ status: 'delivered', detail: apnsId });
        else if (status === 410 || DEAD_REASONS.has(reason))
          resolve({ status: 'dead', reason: `${status} ${reason}` });
        else if (
          status === 429 ||
          status >= 500 ||
          reason === 'ExpiredProviderToken' ||
          reason === 'TooManyProviderTokenUpdates'
        ) {
          resolve({ status: 'retry', reason: `${status} ${reason}` });
        } else resolve({ status: 'failed', reason: `${status} ${reason}` });
      });
      req.end(body);
    });
  }

  async close(): Promise<void> {
    for (const session of this.#sessions.values()) session.close();
    this.#sessions.clear();
  }
}
