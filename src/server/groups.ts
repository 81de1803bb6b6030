import type { Bus, GroupEvent } from '../bus/bus.js';
import { normalizeGroupName } from '../protocol/messages/group.js';
import type { Connection } from './connection.js';

/**
 * Location groups (G/g, WIRE.md §3): cars post `g<group>,<payload>`; apps subscribed to a group get
 * `g<vehicleid>,<GROUP>,<payload>` for every member car. Group state lives in memory on every node
 * (as in the reference) and travels over the bus, so subscribers on any node see cars on any node.
 */
export class GroupRegistry {
  /** group → vehicle key → latest member message. */
  private readonly state = new Map<string, Map<string, { vehicleId: string; payload: string }>>();
  /** group → local subscribers. */
  private readonly subscribers = new Map<string, Set<Connection>>();

  constructor(
    private readonly bus: Bus,
    /** Groups one connection may join (`limits.max_groups_per_connection`). */
    private readonly maxPerConnection = 32,
    /** Longest group name, in bytes (`limits.max_group_name_length`). */
    private readonly maxNameLength = 64,
  ) {}

  /**
   * Whether `conn` may join the group `name`: a name no longer than the limit, and one more group
   * within the connection's cap. Logs (within the connection's warning budget) if not.
   */
  private mayJoin(conn: Connection, joined: Set<string>, name: string): boolean {
    if (name.length > this.maxNameLength) {
      conn.log.warn(
        { client: conn.label, length: name.length, limit: this.maxNameLength },
        'ignored group: name too long (limits.max_group_name_length)',
      );
      return false;
    }
    if (joined.has(name) || joined.size < this.maxPerConnection) return true;
    conn.log.warn(
      { client: conn.label, limit: this.maxPerConnection },
      'ignored group: too many groups for one connection (limits.max_groups_per_connection)',
    );
    return false;
  }

  /** Applies an event from the bus (from any node, this one included). */
  onEvent(event: GroupEvent): void {
    let members = this.state.get(event.group);
    if (event.type === 'group-remove') {
      members?.delete(event.vehicleKey);
      if (members?.size === 0) this.state.delete(event.group);
      return;
    }
    if (!members) {
      members = new Map();
      this.state.set(event.group, members);
    }
    const payload = event.payload ?? '';
    members.set(event.vehicleKey, { vehicleId: event.vehicleId, payload });
    for (const conn of this.subscribers.get(event.group) ?? []) {
      conn.deliver('g', relayPayload(event.vehicleId, event.group, payload));
    }
  }

  /**
   * A car posted its position to a group (ignored over `limits.max_groups_per_connection` or
   * `limits.max_group_name_length`).
   */
  async update(car: Connection, group: string, payload: string): Promise<void> {
    const name = normalizeGroupName(group);
    if (!this.mayJoin(car, car.carGroups, name)) return;
    car.carGroups.add(name);
    await this.bus.publishGroup({
      type: 'group-update',
      group: name,
      vehicleKey: car.vehicleKey,
      vehicleId: car.vehicle!.vehicleId,
      payload,
    });
  }

  /**
   * An app subscribes (`register` false for batch clients: they only get the current state). Over
   * `limits.max_groups_per_connection`, or for a name over `limits.max_group_name_length`, the
   * subscription is ignored.
   */
  subscribe(conn: Connection, group: string, register: boolean): void {
    const name = normalizeGroupName(group);
    if (register) {
      if (!this.mayJoin(conn, conn.appGroups, name)) return;
      conn.appGroups.add(name);
      let subs = this.subscribers.get(name);
      if (!subs) {
        subs = new Set();
        this.subscribers.set(name, subs);
      }
      subs.add(conn);
    }
    for (const member of this.state.get(name)?.values() ?? []) {
      conn.send('g', relayPayload(member.vehicleId, name, member.payload));
    }
  }

  /** A connection ended: drop its subscriptions, and a car's group messages everywhere. */
  async leave(conn: Connection): Promise<void> {
    for (const group of conn.appGroups) {
      const subs = this.subscribers.get(group);
      subs?.delete(conn);
      if (subs?.size === 0) this.subscribers.delete(group);
    }
    for (const group of conn.carGroups) {
      await this.bus.publishGroup({
        type: 'group-remove',
        group,
        vehicleKey: conn.vehicleKey,
        vehicleId: conn.vehicle!.vehicleId,
      });
    }
  }
}

function relayPayload(vehicleId: string, group: string, payload: string): Buffer {
  return Buffer.from(`${vehicleId},${group},${payload}`, 'latin1');
}
