import { createHash } from 'node:crypto';
import { perlTimestamp } from '../format.js';
import type { PushChannel, PushMessage, PushTarget, SendResult } from '../types.js';
import { httpResult, post } from './http-result.js';
import { signJwt } from './jwt.js';

export interface ServiceAccount {
  project_id: string;
  client_email: string;
  private_key: string;
  token_uri?: string;
}

export interface FcmOptions {
  account: ServiceAccount;
  /** FCM API base, e.g. https://fcm.googleapis.com. */
  url: string;
  /** OAuth token endpoint; '' = the key file's token_uri (https://oauth2.googleapis.com/token). */
  tokenUrl: string;
}

const SCOPE = 'https://www.googleapis.com/auth/firebase.messaging';

/** Firebase Cloud Messaging HTTP v1, authenticated with a service account (OAuth2 JWT bearer grant). */
export class FcmChannel implements PushChannel {
  readonly name = 'fcm';
  /** `gcm` is what the Android app and the Perl server call it. */
  readonly pushTypes = ['gcm', 'fcm'] as const;
  #token: { value: string; until: number } | undefined;
  #pending: Promise<string> | undefined;

  constructor(private readonly options: FcmOptions) {
    for (const field of ['project_id', 'client_email', 'private_key'] as const) {
      if (!options.account[field]) throw new Error(`the FCM service account key has no ${field}`);
    }
  }

  get tokenUrl(): string {
    return this.options.tokenUrl || this.options.account.token_uri || 'https://oauth2.googleapis.com/token';
  }

  async #accessToken(): Promise<string> {
    if (this.#token && Date.now() < this.#token.until) return this.#token.value;
    this.#pending ??= (async () => {
      try {
        const iat = Math.floor(Date.now() / 1000);
        const { client_email, private_key } = this.options.account;
        const assertion = signJwt('RS256', private_key, {
          iss: client_email,
          scope: SCOPE,
          aud: this.tokenUrl,
          iat,
          exp: iat + 3600,
        });
        const res = await post(this.tokenUrl, {
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({
            grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
            assertion,
          }).toString(),
        });
        const json = (await res.json().catch(() => ({}))) as { access_token?: string; expires_in?: number };
        if (!res.ok || !json.access_token) throw new Error(`OAuth token request failed: ${res.status}`);
        const lifetime = Math.max(60, Number(json.expires_in ?? 3600) - 60) * 1000;
        this.#token = { value: json.access_token, until: Date.now() + lifetime };
        return json.access_token;
      } finally {
        this.#pending = undefined;
      }
    })();
    return this.#pending;
  }

  async send(target: PushTarget, message: PushMessage): Promise<SendResult> {
    const time = perlTimestamp(message.time);
    const collapse = createHash('sha256')
      .update(`${message.type}${time}${message.vehicleId}${message.text}`)
      .digest('hex');
    const body = JSON.stringify({
      message: {
        token: target.pushKeyValue,
        data: { type: message.type, time, title: message.vehicleId, message: message.text },
        android: { collapse_key: collapse, priority: 'high' },
      },
    });
    const url = `${this.options.url.replace(/\/+$/, '')}/v1/projects/${encodeURIComponent(this.options.account.project_id)}/messages:send`;
    const res = await post(url, {
      headers: { 'content-type': 'application/json', authorization: `Bearer ${await this.#accessToken()}` },
      body,
    });
    const text = await res.text().catch(() => '');
    if (res.ok) return { status: 'delivered' };
    let status = '';
    let detail = '';
    try {
      const error = (
        JSON.parse(text) as {
          error?: { status?: string; message?: string; details?: { errorCode?: string }[] };
        }
      ).error;
      status = error?.details?.find((d) => d.errorCode)?.errorCode ?? error?.status ?? '';
      detail = error?.message ?? '';
    } catch {}
    const reason = `${res.status} ${status} ${detail}`.trim();
    if (res.status === 401) {
      this.#token = undefined;
      return { status: 'retry', reason };
    }
    if (
      res.status === 404 ||
      status === 'UNREGISTERED' ||
      status === 'SENDER_ID_MISMATCH' ||
      /not a valid FCM registration token/i.test(detail)
    ) {
      return { status: 'dead', reason };
    }
    const result = httpResult(res.status, reason, res.headers.get('retry-after'));
    return result.status === 'failed' || result.status === 'retry' ? { ...result, reason } : result;
  }

  async close(): Promise<void> {}
}
