import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { Notifier } from '../notify/notifier.js';
import type { DeliveryOutcome } from '../push/dispatcher.js';
import { PushDispatcher } from '../push/dispatcher.js';
import type { Hub } from '../server/hub.js';
import type { ListenerStates } from '../server/listener-state.js';
import { LOGIN_KINDS, LOGIN_RESULTS } from '../server/server-counters.js';
import type { StoreUsage } from '../store/store.js';

/** One open connection of the node, as the connection gauge reads it. */
export interface ConnectionView {
  readonly state: string;
  readonly clientType: string | undefined;
  readonly link: { readonly transport: string };
}

/** What the metrics read at scrape time, besides the hub's counters. */
export interface MetricsSources {
  hub: Hub;
  /** Every open v2 connection of the node (v3 cars the bridge attached included), logged in or not. */
  connections: () => Iterable<ConnectionView>;
  /** HTTP API sessions of the node. */
  httpSessions: () => number;
  /** Clients of the embedded MQTT broker (undefined without one). */
  mqttClients: () => number | undefined;
  listeners: () => ListenerStates;
  /** When the TLS certificate in use expires (undefined without TLS). */
  certificateExpires: () => Date | undefined;
  /** Push outcomes are counted when this is the push dispatcher. */
  notifier: Notifier;
}

type Usage = StoreUsage & { pushQueue?: number };

/** Database size and push queue are read at most this often (the rest is read at every scrape). */
export const USAGE_REFRESH_MS = 60_000;
/** The longest a scrape waits for the database or the bus before it shows the last figures. */
const SOURCE_TIMEOUT_MS = 2000;

const KIND_OF: Record<string, string> = { C: 'car', A: 'app', B: 'batch', S: 'server' };
const TRANSPORTS = ['tcp', 'tls', 'ws', 'wss'] as const;
const PUSH_CHANNELS = new Set(['apns', 'fcm', 'expo', 'mail', 'webhook', 'ntfy']);
const PUSH_RESULTS = new Set(['delivered', 'retry', 'dead', 'failed']);
const LISTENER_STATES = ['listening', 'off', 'failed'] as const;

/** A message code as a label: letters and digits as they are, anything else `other` (bounded). */
function codeLabel(byte: number): string {
  const c = String.fromCharCode(byte);
  return /^[A-Za-z0-9]$/.test(c) ? c : 'other';
}

/** A counter without labels whose value is read at scrape time from a plain number kept elsewhere. */
function plainCounter(registers: Registry[], name: string, help: string, read: () => number): void {
  new Counter({
    name,
    help,
    registers,
    collect() {
      this.reset();
      this.inc(read());
    },
  });
}

/** A gauge without labels shows `value`, or no sample at all when it is unknown (not a false 0). */
function setOrAbsent(gauge: Gauge, value: number | undefined): void {
  if (value === undefined) gauge.remove();
  else gauge.set(value);
}

function within<T>(work: Promise<T>): Promise<T> {
  return Promise.race([
    work,
    new Promise<T>((_, reject) =>
      setTimeout(() => reject(new Error('no answer')), SOURCE_TIMEOUT_MS).unref(),
    ),
  ]);
}

/**
 * The node's Prometheus metrics (docs/operations.md lists them). Hot-path figures are plain numbers
 * kept by the hub, the store and the bus, copied into the registry when it is scraped; the
 * histograms are fed per command and per store batch, never per message. No label carries a vehicle
 * id or an owner. Made only when `metrics.enabled`; `close()` detaches it.
 */
export class Metrics {
  readonly registry = new Registry();
  readonly #sources: MetricsSources;
  readonly #detach: (() => void)[] = [];
  /** The last read of the database's figures, or the read under way (every gauge of a scrape shares it). */
  #usage: Promise<Usage> = Promise.resolve({});
  #usageAt = Number.NEGATIVE_INFINITY;
  #nodes = 1;
  #scraping: Promise<string> | undefined;

  constructor(sources: MetricsSources) {
    this.#sources = sources;
    const registers = [this.registry];
    const { hub } = sources;
    collectDefaultMetrics({ register: this.registry });

    new Gauge({
      name: 'ovms_info',
      help: 'Always 1: the node, its version, store and bus',
      labelNames: ['node', 'version', 'store', 'bus'],
      registers,
      collect() {
        this.reset();
        const bus = hub.bus.spansProcesses ? 'redis' : 'local';
        this.set({ node: hub.bus.nodeId, version: hub.version, store: hub.store.kind, bus }, 1);
      },
    });

    new Gauge({
      name: 'ovms_connections',
      help: 'Open connections by kind (car, app, batch, login = not logged in yet, http = API sessions, mqtt = clients of the embedded broker) and transport',
      labelNames: ['kind', 'transport'],
      registers,
      collect() {
        this.reset();
        const counts = new Map<string, number>();
        for (const kind of ['car', 'app', 'batch', 'login'])
          for (const transport of TRANSPORTS) counts.set(`${kind} ${transport}`, 0);
        counts.set('car mqtt', 0);
        for (const c of sources.connections()) {
          const kind = c.state === 'welcome' || c.state === 'login' ? 'login' : KIND_OF[c.clientType ?? ''];
          if (!kind || c.state === 'closed') continue;
          const k = `${kind} ${c.link.transport}`;
          counts.set(k, (counts.get(k) ?? 0) + 1);
        }
        for (const [k, n] of counts) {
          const [kind, transport] = k.split(' ') as [string, string];
          this.set({ kind, transport }, n);
        }
        this.set({ kind: 'http', transport: 'http' }, sources.httpSessions());
        const mqtt = sources.mqttClients();
        if (mqtt !== undefined) this.set({ kind: 'mqtt', transport: 'mqtt' }, mqtt);
      },
    });

    const counters = hub.counters;
    new Counter({
      name: 'ovms_logins_total',
      help: 'Logins by result (ok, refused: bad credentials or unknown vehicle, throttled: too many failures) and kind (v2 car, app, batch; mqtt: the embedded broker)',
      labelNames: ['result', 'kind'],
      registers,
      collect() {
        this.reset();
        LOGIN_RESULTS.forEach((result, r) => {
          LOGIN_KINDS.forEach((kind, k) => {
            this.inc({ result, kind }, counters.logins[r * LOGIN_KINDS.length + k]!);
          });
        });
      },
    });

    new Counter({
      name: 'ovms_messages_received_total',
      help: 'Protocol lines received from logged-in clients, by sender (car; app = apps and batch clients) and message code',
      labelNames: ['from', 'code'],
      registers,
      collect() {
        this.reset();
        const byCode = new Map<string, number>();
        for (let i = 0; i < 512; i++) {
          const n = counters.received[i]!;
          if (n === 0) continue;
          const key = `${i < 256 ? 'car' : 'app'} ${codeLabel(i & 255)}`;
          byCode.set(key, (byCode.get(key) ?? 0) + n);
        }
        for (const [key, n] of byCode) {
          const [from, code] = key.split(' ') as [string, string];
          this.inc({ from, code }, n);
        }
      },
    });

    new Counter({
      name: 'ovms_messages_relayed_total',
      help: "Lines delivered to this node's apps and batch clients (one per recipient), by message code",
      labelNames: ['code'],
      registers,
      collect() {
        this.reset();
        const byCode = new Map<string, number>();
        for (let i = 0; i < 256; i++) {
          const n = counters.relayed[i]!;
          if (n > 0) byCode.set(codeLabel(i), (byCode.get(codeLabel(i)) ?? 0) + n);
        }
        for (const [code, n] of byCode) this.inc({ code }, n);
      },
    });

    const commands = counters.commands;
    const commandCounts: [string, string, () => number][] = [
      [
        'ovms_commands_sent_total',
        "Commands queued for this node's cars (from apps, batch clients and the HTTP API) and sent",
        () => commands.sent,
      ],
      [
        'ovms_commands_answered_total',
        'Commands whose final reply came from the car',
        () => commands.answered,
      ],
      [
        'ovms_commands_timed_out_total',
        'Commands the car did not answer within timeouts.command',
        () => commands.timedOut,
      ],
      [
        'ovms_commands_car_gone_total',
        'Commands still waiting when their car disconnected',
        () => commands.carGone,
      ],
      [
        'ovms_commands_refused_total',
        'Commands refused because too many already waited for the car (limits.max_pending_commands_per_car)',
        () => commands.refused,
      ],
    ];
    for (const [name, help, read] of commandCounts) plainCounter(registers, name, help, read);
    const roundTrip = new Histogram({
      name: 'ovms_command_round_trip_seconds',
      help: "Time from a command's send to the car's final reply",
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
      registers,
    });
    commands.roundTrip = (ms) => roundTrip.observe(ms / 1000);
    this.#detach.push(() => {
      commands.roundTrip = undefined;
    });

    this.#storeMetrics(registers);
    this.#pushMetrics(registers);

    plainCounter(
      registers,
      'ovms_bus_published_total',
      'Vehicle events this node published on the bus (relays, commands, replies, presence changes)',
      () => hub.bus.published ?? 0,
    );
    const metrics = this;
    new Gauge({
      name: 'ovms_bus_nodes',
      help: 'Live server nodes on the bus, this one included',
      registers,
      async collect() {
        if (hub.bus.nodeCount) {
          try {
            metrics.#nodes = await within(hub.bus.nodeCount());
          } catch {
            // The bus does not answer: the last figure stands (/health reports the bus).
          }
        }
        this.set(metrics.#nodes);
      },
    });

    plainCounter(
      registers,
      'ovms_history_refused_total',
      "History records refused over a vehicle's quota or write rate (history.* settings)",
      () => hub.historyLimits.refused(),
    );

    new Gauge({
      name: 'ovms_listener_state',
      help: 'Each listener of the node (v2, v2_tls, http, https, mqtt, mqtt_tls, metrics): 1 for its state (listening, off, failed), 0 for the others',
      labelNames: ['listener', 'state'],
      registers,
      collect() {
        this.reset();
        for (const [listener, s] of Object.entries(sources.listeners()))
          for (const state of LISTENER_STATES) this.set({ listener, state }, s.state === state ? 1 : 0);
      },
    });

    new Gauge({
      name: 'ovms_tls_certificate_expiry_timestamp_seconds',
      help: 'When the TLS certificate in use expires (Unix time); absent without TLS',
      registers,
      collect() {
        const expires = sources.certificateExpires();
        setOrAbsent(this, expires && expires.getTime() / 1000);
      },
    });
  }

  /** Group commit: batch histograms fed by the store, counts read from it, size read at most every minute. */
  #storeMetrics(registers: Registry[]): void {
    const store = this.#sources.hub.store;
    const commit = new Histogram({
      name: 'ovms_store_commit_seconds',
      help: "Duration of each store batch's transaction (its COMMIT included)",
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    });
    const write = new Histogram({
      name: 'ovms_store_write_seconds',
      help: "Latency of each batch's first (longest-waiting) write: from its queueing to its commit",
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    });
    const size = new Histogram({
      name: 'ovms_store_batch_writes',
      help: 'Writes (messages, history records, utilisation) per committed store batch',
      buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000],
      registers,
    });
    const stop = store.observeWrites?.({
      batch(n, waitedMs, commitMs) {
        size.observe(n);
        commit.observe(commitMs / 1000);
        write.observe((waitedMs + commitMs) / 1000);
      },
    });
    if (stop) this.#detach.push(stop);
    const fromStats = (
      name: string,
      help: string,
      read: (s: NonNullable<typeof store.writeStats>) => number,
    ) => plainCounter(registers, name, help, () => (store.writeStats ? read(store.writeStats) : 0));
    fromStats('ovms_store_batches_total', 'Store batches committed whole', (s) => s.batches);
    fromStats('ovms_store_writes_committed_total', 'Store writes committed', (s) => s.committed);
    fromStats(
      'ovms_store_writes_failed_total',
      'Store writes that failed (after their retry)',
      (s) => s.failed,
    );
    fromStats(
      'ovms_store_batches_retried_total',
      'Store batches that failed and were retried write by write',
      (s) => s.retriedBatches,
    );
    const metrics = this;
    new Gauge({
      name: 'ovms_database_size_bytes',
      help: 'Size of the database (SQLite: the file; PostgreSQL: the database; MariaDB: its tables), read at most once a minute',
      registers,
      async collect() {
        setOrAbsent(this, (await metrics.#readUsage()).bytes);
      },
    });
    new Gauge({
      name: 'ovms_history_rows',
      help: "History rows, the database's own estimate (PostgreSQL, MariaDB; absent on SQLite, which has no cheap count), read at most once a minute",
      registers,
      async collect() {
        setOrAbsent(this, (await metrics.#readUsage()).historyRows);
      },
    });
    new Gauge({
      name: 'ovms_push_queue_items',
      help: 'Push deliveries waiting in the durable queue (due or retrying), read at most once a minute',
      registers,
      async collect() {
        setOrAbsent(this, (await metrics.#readUsage()).pushQueue);
      },
    });
  }

  /** The store's size figures, read again when a minute old; a slow or failed read keeps the last ones. */
  #readUsage(): Promise<Usage> {
    const now = Date.now();
    if (now - this.#usageAt < USAGE_REFRESH_MS) return this.#usage;
    this.#usageAt = now;
    const store = this.#sources.hub.store;
    const last = this.#usage;
    this.#usage = within(Promise.all([store.usage?.() ?? {}, store.countPush()])).then(
      ([usage, pushQueue]) => ({ ...usage, pushQueue }),
      // Kept from the last read; /health reports the database.
      () => last,
    );
    return this.#usage;
  }

  #pushMetrics(registers: Registry[]): void {
    const sends = new Counter({
      name: 'ovms_push_sends_total',
      help: 'Push notification sends by channel (apns, fcm, expo, mail, webhook, ntfy) and result (delivered, retry, dead: subscription removed, failed)',
      labelNames: ['channel', 'result'],
      registers,
    });
    const notifier = this.#sources.notifier;
    if (!(notifier instanceof PushDispatcher)) return;
    for (const channel of notifier.channels)
      for (const result of PUSH_RESULTS) sends.inc({ channel: channel.name, result }, 0);
    const onOutcome = (o: DeliveryOutcome) => {
      const channel = PUSH_CHANNELS.has(o.channel) ? o.channel : 'other';
      const result = PUSH_RESULTS.has(o.result.status) ? o.result.status : 'other';
      sends.inc({ channel, result });
    };
    notifier.on('outcome', onOutcome);
    this.#detach.push(() => notifier.off('outcome', onOutcome));
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** The exposition text; scrapes that arrive while one is being made share it. */
  scrape(): Promise<string> {
    this.#scraping ??= this.registry
      .metrics()
      .then(spellNaN)
      .finally(() => {
        this.#scraping = undefined;
      });
    return this.#scraping;
  }

  /** Stops feeding the histograms and counting push outcomes. */
  close(): void {
    for (const detach of this.#detach.splice(0)) detach();
  }
}

/**
 * prom-client writes a value that is not a number as `Nan` (the event-loop lag before its first
 * sample, for one); the text format spells it `NaN`, and strict parsers refuse anything else.
 */
export function spellNaN(text: string): string {
  return text.replace(/ Nan$/gm, ' NaN');
}
