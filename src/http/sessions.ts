import { createHash, randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Hub } from '../server/hub.js';
import type { VehicleRef } from '../store/store.js';

export interface Session {
  readonly id: string;
  readonly ownerId: number;
  readonly ownerName: string;
  readonly permit: string;
  /** A digest of the owner's password hash at login: the session ends when that hash changes. */
  stamp: string;
  lastUsed: number;
  /** Vehicles this session is "connected" to as a virtual app, by vehicle id. */
  readonly vehicles: Map<string, VehicleRef>;
}

/**
 * HTTP API sessions (cookie `ovmsapisession`). Unlike the reference, a session expires after
 * `timeoutMs` without use (sliding), as its documentation promised; ending a session for any reason
 * (logout, expiry, a new login from the same client, server stop) disconnects its virtual apps so the
 * cars get their new `Z`.
 *
 * A session lives only as long as the password it was made under: each use compares the owner's
 * stored password hash with the one at login, so a password change (over HTTP, from the CLI, on
 * another node) ends the owner's sessions at their next request.
 */
export class Sessions {
  private readonly sessions = new Map<string, Session>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly hub: Hub,
    private readonly timeoutMs: number,
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  start(): void {
    const every = Math.min(10_000, Math.max(25, Math.floor(this.timeoutMs / 4)));
    this.timer = setInterval(() => void this.sweep(), every);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await Promise.all([...this.sessions.keys()].map((id) => this.end(id, 'server stopping')));
  }

  async create(owner: { id: number; name: string }, permit: string): Promise<Session> {
    const stored = await this.hub.store.getOwner(owner.id);
    const session: Session = {
      id: randomUUID(),
      ownerId: owner.id,
      ownerName: owner.name,
      permit,
      stamp: passwordStamp(stored?.passwordHash ?? ''),
      lastUsed: this.now(),
      vehicles: new Map(),
    };
    this.sessions.set(session.id, session);
    this.log.debug({ owner: owner.name }, 'HTTP session created');
    return session;
  }

  private expired(session: Session): boolean {
    return this.now() - session.lastUsed > this.timeoutMs;
  }

  /**
   * The live session with this id, marked as used now; undefined if unknown, expired, or made under
   * a password that has changed since (the session is then ended).
   */
  async use(id: string): Promise<Session | undefined> {
    const session = this.sessions.get(id);
    if (!session) return undefined;
    if (this.expired(session)) {
      void this.end(id, 'expired');
      return undefined;
    }
    const owner = await this.hub.store.getOwner(session.ownerId);
    if (!owner || passwordStamp(owner.passwordHash) !== session.stamp) {
      await this.end(id, 'password changed');
      return undefined;
    }
    if (!this.sessions.has(id)) return undefined;
    session.lastUsed = this.now();
    return session;
  }

  /**
   * After the owner's password changed to `passwordHash`: ends every session of the owner on this
   * node except `keep` (the one that made the change), which carries on under the new password.
   */
  async passwordChanged(ownerId: number, passwordHash: string, keep?: Session): Promise<number> {
    if (keep) keep.stamp = passwordStamp(passwordHash);
    const ended = [...this.sessions.values()].filter((s) => s.ownerId === ownerId && s !== keep);
    await Promise.all(ended.map((s) => this.end(s.id, 'password changed')));
    return ended.length;
  }

  get count(): number {
    return this.sessions.size;
  }

  /** Ends a session and disconnects its virtual apps. */
  async end(id: string, reason: string): Promise<void> {
    const session = this.sessions.get(id);
    if (!session) return;
    this.sessions.delete(id);
    this.log.debug({ owner: session.ownerName, reason }, 'HTTP session ended');
    await Promise.all(
      [...session.vehicles.values()].map((ref) =>
        this.hub
          .removeVirtualApp(ref, appId(session))
          .catch((err: Error) => this.log.error({ err }, 'virtual app disconnect failed')),
      ),
    );
    session.vehicles.clear();
  }

  /** Registers the session as an app of the vehicle (the car sees its new `Z`). */
  async connect(session: Session, ref: VehicleRef): Promise<{ firstPeer: boolean }> {
    session.vehicles.set(ref.vehicleId, ref);
    const result = await this.hub.addVirtualApp(ref, appId(session));
    // The session may have ended while the hub was busy: do not leave a phantom app behind.
    if (!this.sessions.has(session.id)) await this.hub.removeVirtualApp(ref, appId(session));
    return result;
  }

  async disconnect(session: Session, ref: VehicleRef): Promise<void> {
    if (!session.vehicles.delete(ref.vehicleId)) return;
    await this.hub.removeVirtualApp(ref, appId(session));
  }

  async sweep(): Promise<void> {
    const due = [...this.sessions.values()].filter((s) => this.expired(s));
    await Promise.all(due.map((s) => this.end(s.id, 'expired')));
  }
}

function passwordStamp(passwordHash: string): string {
  return createHash('sha256').update(passwordHash).digest('hex').slice(0, 32);
}

function appId(session: Session): string {
  return `http:${session.id}`;
}
