import { createRequire } from 'node:module';
import net from 'node:net';
import tls from 'node:tls';
import { Aedes, type AedesPublishPacket, type Client, type PublishPacket } from 'aedes';
import type { Logger } from 'pino';
import type { ServerConfig } from '../config/config.js';
import { ConnectionLimit } from '../server/connection-limit.js';
import { LimitedLog } from '../server/limited-log.js';
import { type ListenerState, OFF } from '../server/listener-state.js';
import type { TlsCertificates } from '../server/tls-certificates.js';
import type { BrokerLoginDeps } from './broker-login.js';
import { BrokerPolicy } from './broker-policy.js';
import type { MqttHandler, MqttPort, MqttPublishOptions } from './mqtt-port.js';
import { PacketSizer } from './packet-sizer.js';
import { openPort } from './port-opening.js';

export interface EmbeddedBrokerDeps extends BrokerLoginDeps {
  config: ServerConfig;
  log: Logger;
  /** The node's TLS certificate (reloaded on change), for `mqtt.tls_port`. */
  certificates?: TlsCertificates;
}

/**
 * An aedes broker whose client publishes refused by the policy are skipped, not relayed, and whose
 * acknowledgement of a client's QoS 2 publish (PUBREC) waits for the server's own handlers of it
 * (a history record stored before the module may forget it). Messages are told apart by their
 * payload buffer, which aedes passes on by reference.
 */
class GuardedAedes extends Aedes {
  constructor(
    opts: ConstructorParameters<typeof Aedes>[0],
    private readonly dropped: WeakSet<object>,
    private readonly holds: WeakMap<object, Promise<unknown>[]>,
  ) {
    super(opts);
  }

  override publish(packet: PublishPacket, client: unknown, done?: unknown): void {
    const publish = super.publish as (p: PublishPacket, c: unknown, d: unknown) => void;
    if (typeof client === 'function' || client === null || client === undefined) {
      publish.call(this, packet, client, done);
      return;
    }
    const callback = (done ?? (() => {})) as (err?: Error) => void;
    if (this.dropped.has(packet)) {
      callback();
      return;
    }
    if (packet.qos !== 2 || typeof packet.payload !== 'object') {
      publish.call(this, packet, client, done);
      return;
    }
    const payload = packet.payload;
    this.holds.set(payload, []);
    publish.call(this, packet, client, (err?: Error) => {
      const held = this.holds.get(payload) ?? [];
      this.holds.delete(payload);
      if (held.length === 0) callback(err);
      else void Promise.allSettled(held).then(() => callback(err));
    });
  }
}

const SIZER = Symbol('MQTT packet sizer');

/** A socket handed to aedes: the packet sizer its bytes go through (see EmbeddedBroker.hand). */
type GuardedSocket = net.Socket & { [SIZER]: PacketSizer };

/**
 * A socket's `push` (how a net.Socket, TLS included, hands the bytes it read to its readers) that
 * first passes them through the socket's PacketSizer: a packet over the limit calls `tooLarge` and
 * nothing more of the stream is taken.
 */
function sizedPush(tooLarge: (socket: net.Socket, problem: string) => void) {
  return function push(this: GuardedSocket, chunk: unknown, encoding?: BufferEncoding): boolean {
    if (chunk instanceof Uint8Array) {
      const problem = this[SIZER].push(chunk);
      if (problem !== undefined) {
        tooLarge(this, problem);
        return false;
      }
    }
    return net.Socket.prototype.push.call(this, chunk, encoding);
  };
}

/**
 * mqtt-packet's own copy of `bl`, whose plain BufferList the parser can use (see lightenParser),
 * found from aedes (mqtt-packet is its dependency, not ours: it may be installed under aedes).
 */
const aedesRequire = createRequire(createRequire(import.meta.url).resolve('aedes'));
const { BufferList } = createRequire(aedesRequire.resolve('mqtt-packet'))('bl') as {
  BufferList: new () => object;
};

/**
 * The MQTT parser aedes makes for a connection keeps its unparsed bytes in a BufferListStream, a
 * whole Duplex stream (~1 KB of every idle connection) of which it only uses the list methods
 * (append, consume, slice, read): it gets the plain BufferList with those methods instead. Only
 * the list the parser starts with is replaced; after a parse error it makes a stream again, and
 * the connection is closed anyway.
 */
function lightenParser(socket: net.Socket): void {
  const parser = (socket as { client?: { _parser?: { _list?: unknown } } }).client?._parser;
  if (parser && parser._list !== undefined) parser._list = new BufferList();
}

function toBuffer(payload: Buffer | string | Uint8Array): Buffer {
  return Buffer.isBuffer(payload) ? payload : Buffer.from(payload);
}

function topicProblem(topic: string): string | undefined {
  if (topic === '') return 'empty topic';
  if (topic.includes('+') || topic.includes('#')) return `wildcard in topic ${JSON.stringify(topic)}`;
  if (topic.includes('\u0000')) return 'NUL character in topic';
  return undefined;
}

/**
 * The embedded MQTT 3.1.1 broker (protocol v3): aedes with in-memory sessions, retained messages
 * and wills, on `mqtt.port` and, with `tls.cert`/`tls.key`, `mqtt.tls_port`. Logins and topic
 * access follow src/mqtt/broker-policy.ts. As an `MqttPort` it lets the server publish and
 * subscribe in-process, outside those rules.
 *
 * A port that cannot be opened is logged once (naming the setting) and shown in `listeners`; the
 * broker keeps working in-process and the rest of the server runs on.
 */
export class EmbeddedBroker implements MqttPort {
  readonly listeners: { mqtt: ListenerState; mqtt_tls: ListenerState } = { mqtt: OFF, mqtt_tls: OFF };
  private readonly servers: net.Server[] = [];
  private readonly connections: ConnectionLimit;
  private readonly refusedLog = new LimitedLog();
  private readonly tooLargeLog = new LimitedLog();
  private closed = false;

  private constructor(
    private readonly deps: EmbeddedBrokerDeps,
    private readonly aedes: Aedes,
    private readonly policy: BrokerPolicy,
    /** The remote address of each connection handed to aedes, for the login. */
    private readonly addresses: WeakMap<object, string>,
    /** Handler promises a client's QoS 2 publish waits for, by payload buffer (see GuardedAedes). */
    private readonly holds: WeakMap<object, Promise<unknown>[]>,
  ) {
    const m = deps.config.mqtt;
    this.connections = new ConnectionLimit({
      total: m.maxConnections,
      perAddress: m.maxConnectionsPerAddress,
    });
    aedes.on('unsubscribe', (filters, client) => policy.unsubscribed(client, filters));
    aedes.on('clientError', (client: Client, err: Error) =>
      deps.log.debug({ clientId: client.id, err: err.message }, 'MQTT client error'),
    );
  }

  static async create(deps: EmbeddedBrokerDeps): Promise<EmbeddedBroker> {
    const addresses = new WeakMap<object, string>();
    const holds = new WeakMap<object, Promise<unknown>[]>();
    const policy = new BrokerPolicy(deps.config, deps, deps.log, (conn) => addresses.get(conn) ?? '');
    const aedes = new GuardedAedes(
      {
        connectTimeout: deps.config.mqtt.connectTimeout,
        // Client ids are namespaced per login (see sessionId); the MQTT 3.1 length cap stays.
        authenticate: policy.authenticate,
        authorizePublish: policy.authorizePublish,
        authorizeSubscribe: policy.authorizeSubscribe,
        authorizeForward: policy.authorizeForward,
      },
      policy.dropped,
      holds,
    );
    await aedes.listen();
    return new EmbeddedBroker(deps, aedes, policy, addresses, holds);
  }

  /** Opens the ports: `mqtt`/`mqttTls` override the settings (0 = any free port), as ServerDeps.listen. */
  async listen(ports: { mqtt?: number; mqttTls?: number } = {}): Promise<void> {
    const c = this.deps.config;
    const m = c.mqtt;
    this.deps.log.info(
      {
        maxConnections: m.maxConnections,
        maxConnectionsPerAddress: m.maxConnectionsPerAddress,
        connectTimeoutMs: m.connectTimeout,
        maxPacketSize: m.maxPacketSize,
        maxSubscriptions: m.maxSubscriptions,
        publishRate: m.publishRate,
        publishBurst: m.publishBurst,
        maxRetainedPerOwner: m.maxRetainedPerOwner,
        maxRetainedBytesPerOwner: m.maxRetainedBytesPerOwner,
      },
      'MQTT broker limits',
    );
    if (ports.mqtt !== undefined || m.port > 0) {
      const server = net.createServer((socket) => this.accept(socket));
      this.listeners.mqtt = await this.open(server, ports.mqtt ?? m.port, {
        key: 'mqtt.port',
        flag: 'mqtt-port',
        env: 'OVMS_MQTT_PORT',
      });
    }
    const certificates = this.deps.certificates;
    if (certificates && (ports.mqttTls !== undefined || m.tlsPort > 0)) {
      const server = tls.createServer({ ...certificates.current, handshakeTimeout: m.connectTimeout });
      certificates.attach(server);
      // Counted from the TCP connection on, so handshakes in progress count too.
      server.on('connection', (socket: net.Socket) => {
        if (!this.admit(socket)) socket.destroy();
      });
      server.on('secureConnection', (socket: tls.TLSSocket) => this.hand(socket));
      server.on('tlsClientError', (err, socket) => {
        this.deps.log.debug({ err: err.message }, 'MQTT TLS handshake failed');
        socket.destroy();
      });
      this.listeners.mqtt_tls = await this.open(server, ports.mqttTls ?? m.tlsPort, {
        key: 'mqtt.tls_port',
        flag: 'mqtt-tls-port',
        env: 'OVMS_MQTT_TLS_PORT',
      });
    }
  }

  private async open(
    server: net.Server,
    port: number,
    setting: Parameters<typeof openPort>[3],
  ): Promise<ListenerState> {
    const state = await openPort(server, port, this.deps.config.host, setting);
    if (state.state === 'listening') {
      this.servers.push(server);
      this.deps.log.info({ port: state.port, setting: setting.key }, 'MQTT broker (protocol v3) listening');
    } else if (state.state === 'failed')
      this.deps.log.error(
        { setting: setting.key },
        `MQTT broker (protocol v3) not listening: ${state.error}. Protocol v2 and the HTTP API run on.`,
      );
    return state;
  }

  private admit(socket: net.Socket): boolean {
    const address = socket.remoteAddress ?? '';
    const refused = this.closed ? 'closed' : this.connections.admit(socket, address);
    if (refused === undefined) return true;
    if (refused !== 'closed') {
      const m = this.deps.config.mqtt;
      this.refusedLog.event((suppressed) =>
        this.deps.log.warn(
          {
            address,
            limit: refused === 'total' ? m.maxConnections : m.maxConnectionsPerAddress,
            suppressed,
          },
          refused === 'total'
            ? 'MQTT connection refused: mqtt.max_connections reached'
            : 'MQTT connection refused: too many connections from this address (mqtt.max_connections_per_address)',
        ),
      );
    }
    return false;
  }

  private accept(socket: net.Socket): void {
    if (!this.admit(socket)) {
      socket.destroy();
      return;
    }
    this.hand(socket);
  }

  /**
   * Gives an admitted socket to aedes as it is, its `push` (where the socket's bytes enter it)
   * replaced by `guardedPush`, which refuses a packet larger than `mqtt.max_packet_size` as soon as
   * its header announces it (aedes itself would buffer up to the protocol's 256 MB). No stream is
   * put between the socket and aedes: a Transform and a Duplex around every socket cost ~6 KB of
   * every idle connection, a third of it.
   */
  private hand(socket: net.Socket): void {
    const guarded = socket as GuardedSocket;
    socket.setNoDelay(true);
    // A client may ask for no keepalive at all: TCP's own notices a peer that is gone.
    socket.setKeepAlive(true, 300_000);
    guarded[SIZER] = new PacketSizer(this.deps.config.mqtt.maxPacketSize);
    guarded.push = this.guardedPush;
    this.addresses.set(socket, socket.remoteAddress ?? '');
    this.aedes.handle(socket);
    lightenParser(socket);
  }

  /** `push` of every socket given to aedes (see `hand`). */
  private readonly guardedPush = sizedPush((socket, problem) => this.tooLarge(socket, problem));

  private tooLarge(socket: net.Socket, problem: string): void {
    const address = this.addresses.get(socket) ?? '';
    this.tooLargeLog.event((suppressed) =>
      this.deps.log.warn({ address, suppressed }, `MQTT connection closed: ${problem}`),
    );
    socket.destroy();
  }

  async publish(topic: string, payload: Buffer | string, options: MqttPublishOptions = {}): Promise<void> {
    const problem = topicProblem(topic);
    if (problem !== undefined) throw new Error(`cannot publish: ${problem}`);
    const body = toBuffer(payload);
    const retain = options.retain ?? false;
    if (retain) this.policy.retained.retain(topic, body.length, true);
    await new Promise<void>((resolve, reject) =>
      this.aedes.publish(
        { cmd: 'publish', topic, payload: body, qos: options.qos ?? 0, retain, dup: false },
        (err) => (err ? reject(err) : resolve()),
      ),
    );
  }

  async subscribe(filter: string, handler: MqttHandler): Promise<() => Promise<void>> {
    const log = this.deps.log;
    const failed = (err: unknown, topic: string) => log.error({ err, topic }, 'MQTT subscriber failed');
    const call = (topic: string, payload: Buffer): Promise<void> | undefined => {
      try {
        const result = handler(topic, payload);
        return result instanceof Promise ? result.catch((err: unknown) => failed(err, topic)) : undefined;
      } catch (err) {
        failed(err, topic);
        return undefined;
      }
    };
    // Messages arriving while the retained ones are read wait, so a newer value comes last.
    let waiting: [string, Buffer][] | undefined = [];
    const systemFilter = filter.startsWith('$');
    const deliver = (packet: AedesPublishPacket, done: () => void) => {
      if (systemFilter || !packet.topic.startsWith('$')) {
        const payload = toBuffer(packet.payload);
        if (waiting) waiting.push([packet.topic, payload]);
        else {
          const pending = call(packet.topic, payload);
          const held = typeof packet.payload === 'object' ? this.holds.get(packet.payload) : undefined;
          if (pending && held) held.push(pending);
        }
      }
      done();
    };
    await new Promise<void>((resolve) => this.aedes.subscribe(filter, deliver, resolve));
    const persistence = (this.aedes as unknown as { persistence: RetainedSource }).persistence;
    for await (const packet of persistence.createRetainedStream(filter)) {
      await call(packet.topic, toBuffer(packet.payload));
    }
    const queued = waiting;
    waiting = undefined;
    for (const [topic, payload] of queued) await call(topic, payload);
    return () => new Promise<void>((resolve) => this.aedes.unsubscribe(filter, deliver, resolve));
  }

  /** Clients connected now. */
  get clientCount(): number {
    return this.aedes.connectedClients;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const stopped = Promise.all(
      this.servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))),
    );
    await new Promise<void>((resolve) => this.aedes.close(() => resolve()));
    // Sockets aedes never got (TLS handshakes in progress).
    for (const socket of this.connections.sockets) socket.destroy();
    await stopped;
  }
}

interface RetainedSource {
  createRetainedStream(pattern: string): AsyncIterable<AedesPublishPacket>;
}
