import type { AedesPublishPacket, AuthenticateError, Client, PublishPacket, Subscription } from 'aedes';
import type { Logger } from 'pino';
import { printable } from '../auth/account-names.js';
import type { ServerConfig } from '../config/config.js';
import { LimitedLog } from '../server/limited-log.js';
import { type BrokerIdentity, hasRightsFor, mayPublish, maySubscribe, prefixOf } from './access-rules.js';
import { type BrokerLoginDeps, brokerLogin } from './broker-login.js';
import { PublishPacer } from './publish-pacer.js';
import { RetainedQuota } from './retained-quota.js';

/** What the broker knows of one logged-in client. */
interface ClientState {
  identity: BrokerIdentity;
  /** The login's rights (a token's permit, `*` otherwise). */
  permit: string;
  /** The client id the client sent (the session key is namespaced, see `sessionId`). */
  clientId: string;
  address: string;
  pacer: PublishPacer;
  subscriptions: Set<string>;
}

/**
 * The session key of a client id: client ids are per login identity, so a client id chosen by
 * another owner (a module's vehicle id is no secret) can neither take over nor read a session.
 */
export function sessionId(identity: BrokerIdentity, clientId: string): string {
  const who =
    identity.kind === 'owner' ? `o${identity.ownerId}` : `v${identity.ownerId}:${identity.vehicleId}`;
  return `${who}|${clientId}`;
}

/**
 * The embedded broker's rules as aedes hooks: logins against the store, topic access (src/mqtt/
 * access-rules.ts), and the per-client limits. Refused publishes are dropped, not delivered, as
 * other brokers do for MQTT 3.1.1 clients (the protocol has no way to say no); a refused subscribe
 * gets the failure return code 0x80.
 */
export class BrokerPolicy {
  private readonly clients = new WeakMap<Client, ClientState>();
  /** Publishes refused by `authorizePublish`: the broker skips them (see EmbeddedBroker). */
  readonly dropped = new WeakSet<object>();
  readonly retained: RetainedQuota;
  private readonly logs = {
    publish: new LimitedLog(),
    rights: new LimitedLog(),
    subscribe: new LimitedLog(),
    subscriptions: new LimitedLog(),
    retained: new LimitedLog(),
    paced: new LimitedLog(),
  };

  constructor(
    private readonly config: ServerConfig,
    private readonly login: BrokerLoginDeps,
    private readonly log: Logger,
    /** The remote address of a connection handed to the broker. */
    private readonly addressOf: (conn: object) => string,
  ) {
    this.retained = new RetainedQuota(config.mqtt.maxRetainedPerOwner, config.mqtt.maxRetainedBytesPerOwner);
  }

  identityOf(client: Client): BrokerIdentity | undefined {
    return this.clients.get(client)?.identity;
  }

  private label(state: ClientState): string {
    return `${printable(state.clientId)} (${prefixOf(state.identity)})`;
  }

  readonly authenticate = (
    client: Client,
    username: string | undefined,
    password: Buffer | undefined,
    done: (error: AuthenticateError | null, success: boolean | null) => void,
  ): void => {
    const address = this.addressOf(client.conn);
    const clientId = client.id;
    brokerLogin(this.login, username, password, address).then(
      (result) => {
        if (!result.ok) {
          this.log.warn(
            { address, clientId: printable(clientId), code: result.code },
            `MQTT login refused: ${result.reason}`,
          );
          const error = new Error(result.reason) as AuthenticateError;
          error.returnCode = result.code;
          return done(error, false);
        }
        const m = this.config.mqtt;
        const state: ClientState = {
          identity: result.identity,
          permit: result.permit,
          clientId,
          address,
          pacer: new PublishPacer(m.publishRate, m.publishBurst),
          subscriptions: new Set(),
        };
        this.clients.set(client, state);
        // aedes reads the id again only after this: the session is the identity's own.
        (client as { id: string }).id = sessionId(result.identity, clientId);
        this.log.info(
          { address, client: this.label(state), via: result.via, clean: client.clean },
          'MQTT client logged in',
        );
        done(null, true);
      },
      (err: Error) => {
        const error = new Error(`login failed: ${err.message}`) as AuthenticateError;
        error.returnCode = 3;
        done(error, false);
      },
    );
  };

  readonly authorizePublish = (
    client: Client | null,
    packet: PublishPacket,
    callback: (error?: Error | null) => void,
  ): void => {
    const state = client && this.clients.get(client);
    if (!state) {
      callback(null); // the server's own (wills of clients always have a state)
      return;
    }
    const refusal = !mayPublish(state.identity, packet.topic)
      ? ({ log: this.logs.publish, why: 'outside the topics of this login' } as const)
      : !hasRightsFor(state.permit, packet.topic)
        ? ({
            log: this.logs.rights,
            why: 'a car command needs the vehicle.control right, which this login does not hold',
          } as const)
        : undefined;
    if (refusal) {
      this.dropped.add(packet);
      refusal.log.event((suppressed) =>
        this.log.warn(
          { client: this.label(state), topic: printable(packet.topic), suppressed },
          `MQTT publish dropped: ${refusal.why}`,
        ),
      );
      callback(null);
      return;
    }
    if (packet.retain && !this.retained.retain(packet.topic, packet.payload.length)) {
      packet.retain = false;
      this.logs.retained.event((suppressed) =>
        this.log.warn(
          {
            client: this.label(state),
            topic: printable(packet.topic),
            limit: this.config.mqtt.maxRetainedPerOwner,
            bytes: this.config.mqtt.maxRetainedBytesPerOwner,
            suppressed,
          },
          'MQTT message delivered but not retained: the owner has reached mqtt.max_retained_per_owner or mqtt.max_retained_bytes_per_owner',
        ),
      );
    }
    const wait = state.pacer.next();
    if (wait === 0) {
      callback(null);
      return;
    }
    this.logs.paced.event((suppressed) =>
      this.log.info(
        { client: this.label(state), rate: this.config.mqtt.publishRate, suppressed },
        'MQTT client publishes faster than mqtt.publish_rate: slowed down',
      ),
    );
    setTimeout(() => callback(null), wait);
  };

  readonly authorizeSubscribe = (
    client: Client,
    sub: Subscription,
    callback: (error: Error | null, subscription?: Subscription | null) => void,
  ): void => {
    const state = this.clients.get(client);
    if (!state || !maySubscribe(state.identity, sub.topic)) {
      if (state)
        this.logs.subscribe.event((suppressed) =>
          this.log.warn(
            { client: this.label(state), filter: printable(sub.topic), suppressed },
            'MQTT subscribe refused: outside the topics of this login',
          ),
        );
      callback(null, null);
      return;
    }
    const max = this.config.mqtt.maxSubscriptions;
    if (max > 0 && !state.subscriptions.has(sub.topic) && state.subscriptions.size >= max) {
      this.logs.subscriptions.event((suppressed) =>
        this.log.warn(
          { client: this.label(state), limit: max, suppressed },
          'MQTT subscribe refused: the client holds mqtt.max_subscriptions subscriptions',
        ),
      );
      callback(null, null);
      return;
    }
    state.subscriptions.add(sub.topic);
    callback(null, sub);
  };

  /** A client's unsubscribe frees its places. */
  unsubscribed(client: Client, filters: readonly string[]): void {
    const state = this.clients.get(client);
    if (state) for (const f of filters) state.subscriptions.delete(f);
  }

  /** Last check before a message reaches a client (also messages queued in its session). */
  readonly authorizeForward = (client: Client, packet: AedesPublishPacket): AedesPublishPacket | null => {
    const state = this.clients.get(client);
    return state && maySubscribe(state.identity, packet.topic) ? packet : null;
  };
}
