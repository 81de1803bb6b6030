import { Redis } from 'ioredis';
import type { Bus, ConnAddress, GroupEvent, Presence, Unsubscribe, VehicleEvent } from './bus.js';
import { parseEvent, serialiseEvent } from './bus-codec.js';

export interface RedisBusOptions {
  url: string;
  nodeId: string;
  /** Key and channel prefix, so several deployments can share one Redis. */
  prefix?: string;
  /** A node whose heartbeat is older than this is dead: its cars and apps are dropped. */
  leaseMs?: number;
  onError?: (err: Error) => void;
}

// Clears the car key only while it still names this connection (a newer login may own it).
const CLEAR_IF_MINE = `if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) return 1 end return 0`;
// A claim: taken when free (SET NX with the lease's expiry), or renewed when this node holds it.
const CLAIM = `local holder = redis.call('GET', KEYS[1])
if holder == false then redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) return 1 end
if holder == ARGV[1] then redis.call('PEXPIRE', KEYS[1], ARGV[2]) return 1 end
return 0`;

/**
 * The bus over Redis: pub/sub channels per vehicle for the events, and keys for presence. Each node
 * holds a lease (a key with an expiry it keeps renewing); presence entries of a node whose lease has
 * lapsed are ignored, and the first surviving node to notice reaps them and tells the vehicles'
 * other nodes (car-down, apps-changed), so a node killed with -9 never leaves cars "connected".
 */
export class RedisBus implements Bus {
  readonly nodeId: string;
  readonly spansProcesses = true;
  readonly presence: Presence;
  private readonly pub: Redis;
  private readonly sub: Redis;
  private readonly prefix: string;
  private readonly leaseMs: number;
  private readonly handlers = new Map<string, Set<(e: VehicleEvent) => void>>();
  private readonly groupHandlers = new Set<(e: GroupEvent) => void>();
  /** Claims this node holds: renewed with its lease. */
  private readonly claims = new Set<string>();
  private heartbeat: NodeJS.Timeout | undefined;
  private closed = false;

  private constructor(opts: RedisBusOptions) {
    this.nodeId = opts.nodeId;
    this.prefix = opts.prefix ?? 'ovms:';
    this.leaseMs = opts.leaseMs ?? 15_000;
    const onError = opts.onError ?? (() => {});
    this.pub = new Redis(opts.url, { lazyConnect: true, maxRetriesPerRequest: null });
    this.sub = new Redis(opts.url, { lazyConnect: true, maxRetriesPerRequest: null });
    this.pub.on('error', onError);
    this.sub.on('error', onError);
    this.sub.on('messageBuffer', (channel: Buffer, message: Buffer) =>
      this.onMessage(channel.toString(), message),
    );
    this.presence = this.makePresence();
  }

  /**
   * Connects and takes this node's lease. A failure rejects with the reason of the first connection
   * error (ECONNREFUSED, ENOTFOUND, ...; ioredis itself only says "Connection is closed") and leaves
   * no client reconnecting behind.
   */
  static async connect(opts: RedisBusOptions): Promise<RedisBus> {
    const bus = new RedisBus(opts);
    let firstError: Error | undefined;
    const note = (err: Error) => {
      firstError ??= err;
    };
    bus.pub.on('error', note);
    bus.sub.on('error', note);
    try {
      await Promise.all([bus.pub.connect(), bus.sub.connect()]);
      await bus.sub.subscribe(bus.k('groups'));
      await bus.renewLease();
    } catch (error) {
      bus.closed = true;
      bus.sub.disconnect();
      bus.pub.disconnect();
      throw firstError ?? error;
    } finally {
      bus.pub.off('error', note);
      bus.sub.off('error', note);
    }
    bus.heartbeat = setInterval(() => void bus.tick(), Math.max(50, Math.floor(bus.leaseMs / 3)));
    bus.heartbeat.unref();
    return bus;
  }

  private k(name: string): string {
    return `${this.prefix}${name}`;
  }

  private async renewLease(): Promise<void> {
    await this.pub
      .multi()
      .set(this.k(`node:${this.nodeId}`), String(Date.now()), 'PX', this.leaseMs)
      .sadd(this.k('nodes'), this.nodeId)
      .exec();
  }

  private async tick(): Promise<void> {
    if (this.closed) return;
    try {
      await this.renewLease();
      await this.renewClaims();
      await this.reapDeadNodes();
    } catch {
      // Redis unreachable: ioredis reconnects; the next tick tries again.
    }
  }

  private async alive(nodes: string[]): Promise<Set<string>> {
    if (nodes.length === 0) return new Set();
    const leases = await this.pub.mget(nodes.map((n) => this.k(`node:${n}`)));
    return new Set(nodes.filter((_, i) => leases[i] !== null));
  }

  /** Nodes whose lease is current (two Redis round trips; the metrics ask at each scrape). */
  async nodeCount(): Promise<number> {
    return (await this.alive(await this.pub.smembers(this.k('nodes')))).size;
  }

  /** Cleans up after nodes whose lease lapsed; one node does it per dead node (a short lock). */
  private async reapDeadNodes(): Promise<void> {
    const nodes = await this.pub.smembers(this.k('nodes'));
    const alive = await this.alive(nodes);
    for (const dead of nodes.filter((n) => !alive.has(n))) {
      const locked = await this.pub.set(this.k(`reap:${dead}`), this.nodeId, 'PX', this.leaseMs, 'NX');
      if (!locked) continue;
      for (const key of await this.pub.smembers(this.k(`node-cars:${dead}`))) {
        const raw = await this.pub.get(this.k(`car:${key}`));
        const car = raw ? (JSON.parse(raw) as ConnAddress) : undefined;
        if (car?.node !== dead) continue;
        await this.pub.eval(CLEAR_IF_MINE, 1, this.k(`car:${key}`), raw!);
        await this.publish(key, { type: 'car-down', car });
      }
      for (const key of await this.pub.smembers(this.k(`node-apps:${dead}`))) {
        await this.pub.hdel(this.k(`apps:${key}`), dead);
        await this.publish(key, { type: 'apps-changed' });
      }
      await this.pub
        .multi()
        .del(this.k(`node-cars:${dead}`), this.k(`node-apps:${dead}`))
        .srem(this.k('nodes'), dead)
        .exec();
    }
  }

  private makePresence(): Presence {
    return {
      getCar: async (key) => {
        const raw = await this.pub.get(this.k(`car:${key}`));
        if (!raw) return undefined;
        const car = JSON.parse(raw) as ConnAddress;
        return (await this.alive([car.node])).has(car.node) ? car : undefined;
      },
      setCar: async (key, car) => {
        await this.pub
          .multi()
          .set(this.k(`car:${key}`), JSON.stringify(car))
          .sadd(this.k(`node-cars:${car.node}`), key)
          .exec();
      },
      clearCar: async (key, car) => {
        await this.pub.eval(CLEAR_IF_MINE, 1, this.k(`car:${key}`), JSON.stringify(car));
        await this.pub.srem(this.k(`node-cars:${car.node}`), key);
      },
      setAppCount: async (key, count) => {
        if (count > 0) {
          await this.pub
            .multi()
            .hset(this.k(`apps:${key}`), this.nodeId, String(count))
            .sadd(this.k(`node-apps:${this.nodeId}`), key)
            .exec();
        } else {
          await this.pub
            .multi()
            .hdel(this.k(`apps:${key}`), this.nodeId)
            .srem(this.k(`node-apps:${this.nodeId}`), key)
            .exec();
        }
      },
      getAppCount: async (key) => {
        const counts = await this.pub.hgetall(this.k(`apps:${key}`));
        const alive = await this.alive(Object.keys(counts));
        let total = 0;
        for (const [node, n] of Object.entries(counts)) if (alive.has(node)) total += Number(n);
        return total;
      },
    };
  }

  private onMessage(channel: string, message: Buffer): void {
    if (channel === this.k('groups')) {
      const event = JSON.parse(message.toString()) as GroupEvent;
      for (const h of [...this.groupHandlers]) h(event);
      return;
    }
    const key = channel.slice(this.k('v:').length);
    const handlers = this.handlers.get(key);
    if (!handlers) return;
    const event = parseEvent(message);
    for (const h of [...handlers]) h(event);
  }

  published = 0;

  async publish(vehicleKey: string, event: VehicleEvent): Promise<void> {
    this.published++;
    await this.pub.publish(this.k(`v:${vehicleKey}`), serialiseEvent(event));
  }

  async subscribe(vehicleKey: string, handler: (event: VehicleEvent) => void): Promise<Unsubscribe> {
    let set = this.handlers.get(vehicleKey);
    if (!set) {
      set = new Set();
      this.handlers.set(vehicleKey, set);
      await this.sub.subscribe(this.k(`v:${vehicleKey}`));
    }
    set.add(handler);
    return async () => {
      set.delete(handler);
      if (set.size === 0 && this.handlers.get(vehicleKey) === set) {
        this.handlers.delete(vehicleKey);
        if (!this.closed) await this.sub.unsubscribe(this.k(`v:${vehicleKey}`));
      }
    };
  }

  /**
   * A key with this node's id and the lease's expiry (SET NX), renewed at every heartbeat: a node
   * that dies loses its claims when its lease would lapse.
   */
  async claim(name: string): Promise<boolean> {
    const held = await this.takeClaim(name);
    if (held) this.claims.add(name);
    else this.claims.delete(name);
    return held;
  }

  /** All of them in one round trip; one found taken by another node (after an outage) is dropped. */
  private async renewClaims(): Promise<void> {
    if (this.claims.size === 0) return;
    const names = [...this.claims];
    const batch = this.pub.pipeline();
    for (const name of names)
      batch.eval(CLAIM, 1, this.k(`claim:${name}`), this.nodeId, String(this.leaseMs));
    const results = (await batch.exec()) ?? [];
    results.forEach(([err, held], i) => {
      if (!err && held !== 1) this.claims.delete(names[i]!);
    });
  }

  private async takeClaim(name: string): Promise<boolean> {
    return (await this.pub.eval(CLAIM, 1, this.k(`claim:${name}`), this.nodeId, String(this.leaseMs))) === 1;
  }

  async release(name: string): Promise<void> {
    this.claims.delete(name);
    await this.pub.eval(CLEAR_IF_MINE, 1, this.k(`claim:${name}`), this.nodeId);
  }

  async publishGroup(event: GroupEvent): Promise<void> {
    await this.pub.publish(this.k('groups'), JSON.stringify(event));
  }

  async subscribeGroups(handler: (event: GroupEvent) => void): Promise<Unsubscribe> {
    this.groupHandlers.add(handler);
    return async () => {
      this.groupHandlers.delete(handler);
    };
  }

  /** Leaves cleanly: app counts and lease removed at once (cars are cleared by the hub as they close). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.heartbeat) clearInterval(this.heartbeat);
    try {
      for (const name of [...this.claims]) await this.release(name);
      for (const key of await this.pub.smembers(this.k(`node-apps:${this.nodeId}`))) {
        await this.pub.hdel(this.k(`apps:${key}`), this.nodeId);
      }
      await this.pub
        .multi()
        .del(this.k(`node-apps:${this.nodeId}`), this.k(`node:${this.nodeId}`))
        .srem(this.k('nodes'), this.nodeId)
        .exec();
    } finally {
      this.sub.disconnect();
      await this.pub.quit().catch(() => this.pub.disconnect());
    }
  }

  /** For tests: vanish without cleaning up, as a killed process would. */
  async crashForTests(): Promise<void> {
    this.closed = true;
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.sub.disconnect();
    this.pub.disconnect();
  }
}
