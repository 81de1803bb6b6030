import { readFileSync } from 'node:fs';
import type { Logger } from 'pino';
import type { ServerConfig } from '../config/config.js';
import { ConfigError } from '../config/config.js';
import type { Store } from '../store/store.js';
import { ApnsChannel } from './channels/apns.js';
import { ExpoChannel } from './channels/expo.js';
import { FcmChannel, type ServiceAccount } from './channels/fcm.js';
import { MailChannel } from './channels/mail.js';
import { NtfyChannel } from './channels/ntfy.js';
import { WebhookChannel } from './channels/webhook.js';
import { PushDispatcher } from './dispatcher.js';
import type { PushChannel } from './types.js';
import { loadVece } from './vece.js';

function readFile(path: string, setting: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`${setting}: cannot read ${path}: ${(error as Error).message}`);
  }
}

/** The channels the configuration turns on (each is off unless configured). */
export function buildChannels(push: ServerConfig['push']): PushChannel[] {
  const channels: PushChannel[] = [];
  const { apns, fcm, expo, mail, webhook, ntfy } = push;
  if (apns.keyFile || apns.certFile) {
    channels.push(
      new ApnsChannel({
        url: apns.url,
        sandboxUrl: apns.sandboxUrl,
        topic: apns.topic,
        ...(apns.keyFile
          ? {
              key: {
                pem: readFile(apns.keyFile, 'push.apns_key_file'),
                keyId: apns.keyId,
                teamId: apns.teamId,
              },
            }
          : {}),
        ...(apns.certFile
          ? {
              cert: {
                cert: readFile(apns.certFile, 'push.apns_cert_file'),
                key: readFile(apns.certKeyFile || apns.certFile, 'push.apns_cert_key_file'),
              },
            }
          : {}),
        ...(apns.caFile ? { ca: readFile(apns.caFile, 'push.apns_ca_file') } : {}),
      }),
    );
  }
  if (fcm.serviceAccount) {
    let account: ServiceAccount;
    try {
      account = JSON.parse(readFile(fcm.serviceAccount, 'push.fcm_service_account')) as ServiceAccount;
    } catch (error) {
      if (error instanceof ConfigError) throw error;
      throw new ConfigError(`push.fcm_service_account: ${fcm.serviceAccount} is not JSON`);
    }
    try {
      channels.push(new FcmChannel({ account, url: fcm.url, tokenUrl: fcm.tokenUrl }));
    } catch (error) {
      throw new ConfigError(`push.fcm_service_account: ${(error as Error).message}`);
    }
  }
  if (expo.enabled) {
    channels.push(
      new ExpoChannel({ url: expo.url, accessToken: expo.accessToken, receiptDelayMs: expo.receiptDelay }),
    );
  }
  if (mail.smtp) channels.push(new MailChannel({ smtpUrl: mail.smtp, sender: mail.sender }));
  if (webhook.url) channels.push(new WebhookChannel({ url: webhook.url, secret: webhook.secret }));
  if (ntfy.url) channels.push(new NtfyChannel({ url: ntfy.url, token: ntfy.token }));
  return channels;
}

/** The dispatcher for a configuration (not started). */
export function buildDispatcher(config: ServerConfig, store: Store, log: Logger): PushDispatcher {
  const push = config.push;
  return new PushDispatcher({
    store,
    log: log.child({ component: 'push' }),
    channels: buildChannels(push),
    vece: loadVece(push.veceDir || undefined),
    throttleMs: push.throttle,
    maxAttempts: Math.max(1, push.maxAttempts),
    retryBaseMs: push.retryBase,
    retryMaxMs: push.retryMax,
    suppressDebug: push.suppressDebug,
  });
}
