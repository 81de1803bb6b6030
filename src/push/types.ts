/**
 * What the push dispatcher hands to a channel, and what a channel answers. Formatting happens once,
 * in the dispatcher (src/push/format.ts); channels only put the message into their provider's shape.
 */

/** One alert, ready to send: `text` is already expanded (E codes) and final. */
export interface PushMessage {
  ownerId: number;
  ownerName: string;
  vehicleId: string;
  /** 'A' alert, 'I' info, 'E' vehicle error (already expanded to text). */
  type: string;
  text: string;
  /** ISO-8601 UTC. */
  time: string;
}

/** Where to send it: a stored subscription (or, for operator sinks such as the webhook, a stand-in). */
export interface PushTarget {
  ownerId: number;
  vehicleId: string;
  appId: string;
  pushType: string;
  pushKeyType: string;
  pushKeyValue: string;
}

export type SendResult =
  | { status: 'delivered'; detail?: string }
  /** A temporary failure (network, 429, 5xx): try again later, honouring `retryAfterMs` if given. */
  | { status: 'retry'; reason: string; retryAfterMs?: number }
  /** The provider says this subscription is gone (APNs 410, FCM UNREGISTERED...): delete it. */
  | { status: 'dead'; reason: string }
  /** A permanent failure that says nothing about the subscription (bad payload, bad config): drop it. */
  | { status: 'failed'; reason: string };

export interface ChannelHooks {
  /** A channel that learns later that a subscription is dead (Expo receipts) reports it here. */
  dead(target: PushTarget, reason: string): void;
}

export interface PushChannel {
  /** Shown in logs and `push test` output: 'apns', 'fcm', 'expo', 'mail', 'webhook', 'ntfy'. */
  readonly name: string;
  /** The subscription push types this channel serves (`p` message push type). */
  readonly pushTypes: readonly string[];
  send(target: PushTarget, message: PushMessage): Promise<SendResult>;
  /** Called once by the dispatcher before the first send. */
  start?(hooks: ChannelHooks): void;
  close(): Promise<void>;
}

export function describeError(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return typeof code === 'string' ? `${code}: ${error.message}` : error.message;
  }
  return String(error);
}
