import { createHash, randomBytes } from 'node:crypto';
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
  /** "Keep me logged in": the longer lifetime. */
  readonly remember: boolean;
  /** When the stored expiry was last moved on (ms). */
  touched: number;
  /** Vehicles this session is "connected" to as a virtual app, by vehicle id (this node only). */
  readonly vehicles: Map<string, VehicleRef>;
  /** Live streams opened with this session on this node: closed when it ends. */
  streams?: Set<() => void>;
}

/**
 * HTTP API sessions (cookie `ovmsapisession`), stored in the database (only the SHA-256 of the id),
 * so they survive a restart and every node of a cluster knows them. Unlike the reference, a session
 * expires after `timeoutMs` without use (sliding), or `rememberMs` when made with "keep me logged
 * in"; ending a session (logout, expiry, a new login from the same client) disconnects its virtual
 * apps so the cars get their new `Z`. A server stop only releases the virtual apps: the session
 * carries on after the restart.
 *
 * A session lives only as long as the password it was made under: each use compares the owner's
 * stored password hash with the one at login, so a password change (over HTTP, from the CLI, on
 * another node) ends the owner's sessions at their next request.
 */
export class Sessions {
  /** Sessions used on this node, by id: they hold the virtual apps. */
  private readonly live = new Map<string, Session>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly hub: Hub,
    private readonly timeoutMs: number,
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
    private readonly rememberMs = 0,
  ) {}

  start(): void {
    const every = Math.min(10_000, Math.max(25, Math.floor(this.timeoutMs / 4)));
    this.timer = setInterval(() => void this.sweep().catch(() => {}), every);
    this.timer.unref();
  }

  /** Releases the virtual apps; the stored sessions carry on after a restart. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await Promise.all([...this.live.values()].map((s) => this.forget(s)));
  }

  /** Whether "keep me logged in" is offered (http.session_remember > 0). */
  get canRemember(): boolean {
    return this.rememberMs > 0;
  }

  private lifetime(remember: boolean): number {
    return remember && this.rememberMs > 0 ? this.rememberMs : this.timeoutMs;
  }

  async create(owner: { id: number; name: string }, permit: string, remember = false): Promise<Session> {
    const stored = await this.hub.store.getOwner(owner.id);
    const now = this.now();
    const session: Session = {
      id: randomBytes(32).toString('base64url'),
      ownerId: owner.id,
      ownerName: owner.name,
      permit,
      stamp: passwordStamp(stored?.passwordHash ?? ''),
      remember: remember && this.rememberMs > 0,
      touched: now,
      vehicles: new Map(),
    };
    await this.hub.store.createSession({
      idHash: sessionHash(session.id),
      ownerId: owner.id,
      permit,
      stamp: session.stamp,
      remember: session.remember,
      createdAt: new Date(now),
      expiresAt: new Date(now + this.lifetime(session.remember)),
    });
    this.live.set(session.id, session);
    this.log.debug({ owner: owner.name }, 'HTTP session created');
    return session;
  }

  /** Seconds a cookie for this session should be kept by the browser (remembered sessions only). */
  cookieMaxAge(session: Session): number | undefined {
    return session.remember ? Math.floor(this.rememberMs / 1000) : undefined;
  }

  /**
   * The live session with this id, marked as used now; undefined if unknown, expired, or made under
   * a password that has changed since (the session is then ended).
   */
  async use(id: string): Promise<Session | undefined> {
    const hash = sessionHash(id);
    const row = await this.hub.store.getSession(hash);
    const now = this.now();
    if (!row) {
      // Ended elsewhere (logout on another node, swept): its virtual apps here go too.
      const gone = this.live.get(id);
      if (gone) await this.forget(gone);
      return undefined;
    }
    if (row.expiresAt.getTime() <= now) {
      await this.end(id, 'expired');
      return undefined;
    }
    const owner = await this.hub.store.getOwner(row.ownerId);
    if (!owner || passwordStamp(owner.passwordHash) !== row.stamp) {
      await this.end(id, 'password changed');
      return undefined;
    }
    let session = this.live.get(id);
    if (!session) {
      session = {
        id,
        ownerId: row.ownerId,
        ownerName: owner.name,
        permit: row.permit,
        stamp: row.stamp,
        remember: row.remember,
        touched: 0,
        vehicles: new Map(),
      };
      this.live.set(id, session);
    }
    // The stored expiry moves on at most every tenth of the lifetime (a minute at most): not a write per request.
    const lifetime = this.lifetime(session.remember);
    if (now - session.touched >= Math.min(60_000, lifetime / 10)) {
      session.touched = now;
      await this.hub.store.touchSession(hash, new Date(now + lifetime));
    }
    return session;
  }

  /**
   * After the owner's password changed to `passwordHash`: ends every session of the owner except
   * `keep` (the one that made the change), which carries on under the new password.
   */
  async passwordChanged(ownerId: number, passwordHash: string, keep?: Session): Promise<number> {
    const keepHash = keep ? sessionHash(keep.id) : '';
    if (keep) {
      keep.stamp = passwordStamp(passwordHash);
      const row = await this.hub.store.getSession(keepHash);
      if (row) {
        await this.hub.store.deleteSession(keepHash);
        await this.hub.store.createSession({ ...row, stamp: keep.stamp });
      }
    }
    const endedHere = [...this.live.values()].filter((s) => s.ownerId === ownerId && s !== keep);
    const ended = await this.hub.store.deleteOwnerSessions(ownerId, keepHash);
    await Promise.all(endedHere.map((s) => this.forget(s)));
    return ended;
  }

  /** Sessions used on this node since it started. */
  get count(): number {
    return this.live.size;
  }

  /** Ends a session and disconnects its virtual apps. */
  async end(id: string, reason: string): Promise<void> {
    await this.hub.store.deleteSession(sessionHash(id));
    const session = this.live.get(id);
    if (!session) return;
    this.log.debug({ owner: session.ownerName, reason }, 'HTTP session ended');
    await this.forget(session);
  }

  /** Closes `close` (a stream) when the session ends; returns the unregister. */
  onEnd(session: Session, close: () => void): () => void {
    session.streams ??= new Set();
    session.streams.add(close);
    return () => session.streams?.delete(close);
  }

  /** Drops a session from this node, closes its streams and disconnects its virtual apps. */
  private async forget(session: Session): Promise<void> {
    this.live.delete(session.id);
    for (const close of session.streams ?? []) close();
    session.streams?.clear();
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
    if (!this.live.has(session.id)) await this.hub.removeVirtualApp(ref, appId(session));
    return result;
  }

  async disconnect(session: Session, ref: VehicleRef): Promise<void> {
    if (!session.vehicles.delete(ref.vehicleId)) return;
    await this.hub.removeVirtualApp(ref, appId(session));
  }

  /** Removes expired sessions from the store, and from this node with their virtual apps. */
  async sweep(): Promise<void> {
    const now = this.now();
    await this.hub.store.deleteExpiredSessions(new Date(now));
    const due = [...this.live.values()].filter(
      (s) => now - s.touched > this.lifetime(s.remember) && s.touched !== 0,
    );
    // A session not touched for its lifetime may still have been used on another node: ask the store.
    for (const s of due) {
      const row = await this.hub.store.getSession(sessionHash(s.id));
      if (!row || row.expiresAt.getTime() <= now) await this.forget(s);
    }
  }
}

/** What the store keeps of a session id: its SHA-256 (a stolen database holds no usable cookie). */
export function sessionHash(id: string): string {
  return createHash('sha256').update(id).digest('hex');
}

function passwordStamp(passwordHash: string): string {
  return createHash('sha256').update(passwordHash).digest('hex').slice(0, 32);
}

function appId(session: Session): string {
  return `http:${sessionHash(session.id).slice(0, 32)}`;
}
