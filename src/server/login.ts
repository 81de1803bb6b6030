import type { AccountThrottle } from '../auth/account-throttle.js';
import { passwordLogin } from '../auth/password-login.js';
import { isPermitted, isRefused } from '../auth/permissions.js';
import { acceptClient, verifyClientDigest } from '../protocol/handshake.js';
import { Scheme1Codec } from '../protocol/line-codec.js';
import {
  AUTO_PROVISION_NONE,
  formatAutoProvisionReply,
  formatServerWelcome1,
  parseClientWelcome,
  type Scheme0Welcome,
  type Scheme1Welcome,
} from '../protocol/welcome.js';
import type { Vehicle } from '../store/store.js';
import type { AuthThrottle } from './auth-throttle.js';
import type { Connection } from './connection.js';
import { type Hub, vehicleKey } from './hub.js';
import { nextServerToken } from './server-tokens.js';

/**
 * The first line of a connection: a login (scheme 0 or 1) or an auto-provisioning request, as an
 * ordered list of checks. Bad credentials and unknown vehicles close the connection at once and
 * send nothing (WIRE.md §2.2); the log says why.
 */
export class LoginHandler {
  /** Vehicles whose owner was told of a failed car login and not yet of a good one. */
  private readonly alerted = new Set<string>();

  constructor(
    private readonly hub: Hub,
    private readonly throttle: AuthThrottle,
    private readonly accounts: AccountThrottle,
  ) {}

  async welcome(conn: Connection, line: Buffer): Promise<void> {
    const welcome = parseClientWelcome(line.toString('utf8'));
    switch (welcome.kind) {
      case 'invalid':
        if (conn.autoProvisionAnswered) return; // the reference ignores what follows an AP-C
        return conn.abort(`bad welcome line: ${welcome.reason}`, 'warn');
      case 'autoprovision':
        return this.autoProvision(conn, welcome.apkey);
      case 'login':
        if (welcome.clientType === 'S')
          return conn.abort('server-to-server links are not supported (obsolete)');
        return welcome.scheme === 0 ? this.scheme0(conn, welcome) : this.scheme1(conn, welcome);
    }
  }

  private refuse(conn: Connection, clientType: string, who: string, reason: string): void {
    this.hub.counters.login('refused', clientType);
    const count = this.throttle.fail(conn.link.remoteAddress, who);
    conn.abort(`login refused: ${reason} (failure ${count} for ${who} from this address)`, 'warn');
  }

  private async scheme0(conn: Connection, w: Scheme0Welcome): Promise<void> {
    const address = conn.link.remoteAddress;
    if (this.throttle.blocked(address, w.vehicleId)) {
      this.hub.counters.login('throttled', w.clientType);
      return conn.abort(`login throttled: too many failures for ${w.vehicleId} from this address`, 'warn');
    }
    const vehicle = await this.hub.store.findVehicle(w.vehicleId);
    if (conn.state === 'closed') return;
    if (!vehicle) return this.refuse(conn, w.clientType, w.vehicleId, `unknown vehicle ${w.vehicleId}`);
    if (!verifyClientDigest(vehicle.secret, w)) {
      if (w.clientType === 'C') this.authAlert(vehicle, false, address);
      return this.refuse(
        conn,
        w.clientType,
        w.vehicleId,
        `wrong digest for ${w.vehicleId} (${w.clientType})`,
      );
    }
    this.throttle.succeed(address, w.vehicleId);
    if (w.clientType === 'C') this.authAlert(vehicle, true, address);
    const accepted = acceptClient(vehicle.secret, w.token, nextServerToken);
    conn.sendRaw(accepted.reply);
    conn.codec = accepted.codec;
    await this.loggedIn(conn, w.clientType as 'C' | 'A' | 'B', vehicle, 0);
  }

  private async scheme1(conn: Connection, w: Scheme1Welcome): Promise<void> {
    const address = conn.link.remoteAddress;
    const secure = conn.link.transport === 'tls' || conn.link.transport === 'wss';
    if (!secure && !this.hub.config.allowPlainScheme1) {
      this.hub.counters.login('refused', w.clientType);
      return conn.abort('scheme 1 (plain-text password) refused on a non-TLS port', 'warn');
    }
    if (this.throttle.blocked(address, `user:${w.username}`)) {
      this.hub.counters.login('throttled', w.clientType);
      return conn.abort(
        `login throttled: too many failures for user ${w.username} from this address`,
        'warn',
      );
    }
    const store = this.hub.store;
    const login = await passwordLogin(store, this.accounts, w.username, w.password, address);
    if (conn.state === 'closed') return;
    if (!login.ok && login.retryAfterMs !== undefined) {
      this.hub.counters.login('throttled', w.clientType);
      const wait = Math.ceil(login.retryAfterMs / 1000);
      return conn.abort(
        `login throttled: too many failed logins for user ${w.username} (next try in ${wait} s)`,
        'warn',
      );
    }
    const permitted =
      login.ok && (login.via === 'password' || (!isRefused(login.permit) && isPermitted(login.permit, 'v2')));
    if (!permitted)
      return this.refuse(conn, w.clientType, `user:${w.username}`, `bad password or token for ${w.username}`);
    const owner = login.owner;
    const vehicles = await store.listVehicles(owner.id);
    const vehicle = w.vehicleId === '*' ? vehicles[0] : vehicles.find((v) => v.vehicleId === w.vehicleId);
    if (!vehicle)
      return this.refuse(
        conn,
        w.clientType,
        `user:${w.username}`,
        `${w.username} has no vehicle ${w.vehicleId}`,
      );
    this.throttle.succeed(address, `user:${w.username}`);
    conn.sendRaw(
      formatServerWelcome1(
        owner.name,
        vehicle.vehicleId,
        vehicles.map((v) => v.vehicleId),
      ),
    );
    conn.codec = new Scheme1Codec();
    conn.permit = login.permit;
    await this.loggedIn(conn, w.clientType as 'C' | 'A' | 'B', vehicle, 1);
  }

  private async loggedIn(
    conn: Connection,
    clientType: 'C' | 'A' | 'B',
    vehicle: Vehicle,
    scheme: 0 | 1,
  ): Promise<void> {
    this.hub.counters.login('ok', clientType);
    conn.clientType = clientType;
    conn.vehicle = vehicle;
    conn.state = 'login';
    conn.log.info({ client: conn.label, scheme, transport: conn.link.transport }, 'logged in');
    await this.hub.attach(conn);
  }

  /** One "failed" alert per failure streak, then one "successful" alert at the next good login. */
  private authAlert(vehicle: Vehicle, ok: boolean, address: string): void {
    const key = vehicleKey(vehicle);
    if (ok ? !this.alerted.delete(key) : this.alerted.has(key)) return;
    if (!ok) this.alerted.add(key);
    void this.hub.notifier
      .notify({
        ownerId: vehicle.ownerId,
        ownerName: vehicle.ownerName,
        vehicleId: vehicle.vehicleId,
        type: 'A',
        text: `Vehicle authentication ${ok ? 'successful' : 'failed'} (${address})`,
        time: new Date(),
      })
      .catch((err: Error) => this.hub.log.error({ err }, 'authentication alert failed'));
  }

  private async autoProvision(conn: Connection, apkey: string): Promise<void> {
    if (conn.autoProvisionAnswered) {
      conn.sendRaw(AUTO_PROVISION_NONE);
      return;
    }
    conn.autoProvisionAnswered = true;
    const record = await this.hub.store.getAutoProvision(apkey);
    if (!record) {
      conn.log.info({ apkey }, 'auto-provisioning: no record');
      conn.sendRaw(AUTO_PROVISION_NONE);
      return;
    }
    conn.sendRaw(formatAutoProvisionReply(record.token, record.digest, record.record));
    await this.hub.store.markAutoProvisionUsed(apkey, new Date());
    conn.log.info({ apkey }, 'auto-provisioning: record sent');
  }
}
