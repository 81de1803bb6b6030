import { commandRight } from '../auth/command-rights.js';
import { isPermitted, type VehicleRight } from '../auth/permissions.js';
import type { Message } from '../protocol/line-codec.js';
import { decodeCommand, decodeCommandResponse, isFinalResponseLine } from '../protocol/messages/command.js';
import { decodeGroupUpdate } from '../protocol/messages/group.js';
import { decodeAckedHistory, decodeHistory } from '../protocol/messages/history.js';
import { decodeParanoid } from '../protocol/messages/paranoid-wrapper.js';
import { commandRefused } from './command-pacing.js';
import { busyReplyBytes, CommandRouter } from './command-router.js';
import type { Connection } from './connection.js';
import { busLine, type Hub } from './hub.js';
import { pacingThreshold, sendPaced } from './paced-send.js';
import { handleSubscription } from './push-subscription.js';
import { SERVER_COMMANDS, serverCommandLines } from './server-commands.js';
import { MAX_CAR_PAYLOAD } from './server-requests.js';

/**
 * What the server does with each message code (WIRE.md §3, SERVER-INVENTORY.md §2.4), by sender.
 * Handlers return promptly; relays are published in arrival order so apps see a car's messages in
 * the order it sent them. When the bus spans nodes, a relay that reports a store write leaves once
 * that write has committed (relay-order.ts): an app never holds a message that a login elsewhere
 * would not replay.
 */
export function handleMessage(hub: Hub, conn: Connection, msg: Message): Promise<void> | undefined {
  switch (msg.code) {
    case 'A':
      conn.send('a');
      return undefined;
    case 'a':
      return undefined;
    case 'p':
      return handleSubscription(hub, conn, msg.payload.toString('utf8'));
  }
  if (conn.clientType === 'C') return handleCarMessage(hub, conn, msg);
  if (conn.clientType === 'A' || conn.clientType === 'B') return handleClientMessage(hub, conn, msg);
  return undefined;
}

function ignore(conn: Connection, code: string, why: string): undefined {
  conn.log.warn({ client: conn.label, code }, `ignored message: ${why}`);
  return undefined;
}

// ---- from the car -----------------------------------------------------------------------------------

function handleCarMessage(hub: Hub, car: Connection, msg: Message): Promise<void> | undefined {
  const text = () => msg.payload.toString('latin1');
  switch (msg.code) {
    case 'P':
      return relayAlert(hub, car, msg.payload);
    case 'c': {
      const reply = decodeCommandResponse(text());
      if (reply.kind !== 'command-response') return hub.routeReply(car, 'c', msg.payload, undefined, true);
      return hub.routeReply(car, 'c', msg.payload, reply.command, isFinalResponseLine(reply));
    }
    case 'E':
      return handleCarParanoid(hub, car, msg);
    case 'g': {
      const update = decodeGroupUpdate(text());
      if (update.kind !== 'group-update') return ignore(car, 'g', update.error);
      return hub.groups.update(car, update.group, update.data);
    }
    case 'H': {
      const rec = decodeHistory(text());
      if (rec.kind !== 'history') return ignore(car, 'H', rec.error);
      // Over the vehicle's quota or write rate an H is dropped (and counted): it has no ack.
      return saveHistory(hub, car, rec, Date.now()).then(() => undefined);
    }
    case 'h':
      return storeAckedHistory(hub, car, msg.payload);
    case 'C':
      return ignore(car, 'C', 'commands from a car are not relayed');
    case 'G':
      return ignore(
        car,
        'G',
        'group subscriptions come from apps (v3 before 3.3.005 sent generator data as G)',
      );
    default:
      return storeAndRelay(hub, car, msg.code, msg.payload, false, msg.code, msg.payload);
  }
}

/** `T0` follows every stored car message; lines on the bus are never changed, so one serves all. */
const T_ZERO = busLine('T', '0');
const PERFORMANCE_DOUBLED = Buffer.from(',performance,,', 'latin1');

/**
 * A car message of a stored code: store it as the latest of its code (and as history when
 * configured), relay it to every client, then `f` after an `F`, then `T0`.
 */
function storeAndRelay(
  hub: Hub,
  car: Connection,
  code: string,
  payload: Buffer,
  paranoid: boolean,
  wireCode: string,
  wirePayload: Buffer,
): Promise<void> {
  let data = payload;
  let relayed = wirePayload;
  if (code === 'S' && !paranoid && payload.includes(PERFORMANCE_DOUBLED)) {
    // Firmware 1.2.0 sent a doubled comma after the mode in performance mode; the reference fixes it.
    data = Buffer.from(payload.toString('latin1').replace(',performance,,', ',performance,'), 'latin1');
    relayed = data;
  }
  const time = new Date();
  const ref = car.vehicle!;
  // What a login's replay reads; a paranoid message's token was written before it (the store
  // queues it after the direct writes issued earlier), so its commit covers the token too.
  const saved = hub.store.saveMessage(ref, { code, payload: data, time, paranoid, ptoken: car.ptoken });
  const writes: Promise<void>[] = [saved];
  if (
    hub.config.history.logMessages > 0 &&
    !hub.historyLimits.admit(ref, car.vehicleKey, data.length, false)
  ) {
    writes.push(
      hub.store.addHistory(ref, {
        type: code,
        recno: 0,
        timestamp: time,
        data,
        expires: new Date(time.getTime() + hub.config.history.logMessages),
      }),
    );
  }
  ref.lastUpdate = time;
  if (!paranoid && hub.carMessages.active) {
    hub.carMessages.notify({
      ref: { ownerId: ref.ownerId, vehicleId: ref.vehicleId },
      code,
      payload: data,
      time,
      key: car.vehicleKey,
      transport: car.link.transport,
    });
  }
  const lines = [busLine(wireCode, relayed)];
  if (code === 'F' && !paranoid) lines.push(busLine('f', hub.version));
  lines.push(T_ZERO);
  const relay = hub.toClients(car, lines, saved);
  return Promise.all([relay, ...writes]).then(() => undefined);
}

function relayAlert(hub: Hub, conn: Connection, payload: Buffer): Promise<void> {
  const relay = hub.toClients(conn, [busLine('P', payload)]);
  if (hub.carMessages.active) {
    const { ownerId, vehicleId } = conn.vehicle!;
    const { vehicleKey: key, link } = conn;
    hub.carMessages.notify({
      ref: { ownerId, vehicleId },
      code: 'P',
      payload,
      time: new Date(),
      key,
      transport: link.transport,
    });
  }
  if (payload.length < 2) return relay;
  const vehicle = conn.vehicle!;
  const text = payload.toString('utf8');
  const alert = hub.notifier
    .notify({
      ownerId: vehicle.ownerId,
      ownerName: vehicle.ownerName,
      vehicleId: vehicle.vehicleId,
      type: text.charAt(0),
      text: text.slice(1),
      time: new Date(),
    })
    .catch((err: Error) => conn.log.error({ err }, 'push alert failed'));
  return Promise.all([relay, alert]).then(() => undefined);
}

/** `h` is acked only once the record is committed, so a crash never loses an acked record. */
/**
 * The catalogue reads numbers in their plain form only (so a message re-encodes byte for byte);
 * a car that writes "-0" or "+5" still means a number, as it did for the reference, so the server
 * reads the numeric fields of an h leniently before giving up on it.
 */
function lenientAckedHistory(text: string) {
  const parts = text.split(',');
  if (parts.length < 6) return undefined;
  const [ack = '', timeDiff, type = '', recno, lifetime] = parts;
  const nums = [timeDiff, recno, lifetime].map((v) =>
    /^[+-]?\d{1,15}$/.test(v ?? '') ? Number(v) : Number.NaN,
  );
  if (nums.some(Number.isNaN) || type === '' || nums[2]! < 0) return undefined;
  const data = parts.slice(5).join(',');
  return { code: 'h', ack, timeDiff: nums[0]!, type, recordNumber: nums[1]!, lifetime: nums[2]!, data };
}

async function storeAckedHistory(hub: Hub, car: Connection, payload: Buffer): Promise<void> {
  const text = payload.toString('latin1');
  const decoded = decodeAckedHistory(text);
  const rec = decoded.kind === 'history-with-ack' ? decoded : lenientAckedHistory(text);
  if (!rec) {
    // The reference acks even a malformed record; the car would otherwise resend it for ever.
    const ack = payload.toString('latin1').split(',', 1)[0] ?? '';
    ignore(car, 'h', decoded.kind === 'invalid' ? decoded.error : 'malformed');
    car.send('h', ack);
    return;
  }
  // Refused over the vehicle's quota or write rate: no ack, so the module keeps it and resends it.
  if (await saveHistory(hub, car, rec, Date.now() + Math.min(0, rec.timeDiff) * 1000)) car.send('h', rec.ack);
}

/** The range of MariaDB's DATETIME (Perl mode), the narrowest of the back-ends' history times. */
const HISTORY_TIME_MIN = Date.UTC(1000, 0, 1);
const HISTORY_TIME_MAX = Date.UTC(9999, 11, 31);

/**
 * Stores an H or h record; it expires at record time + lifetime (the reference adds |timediff| twice).
 * False when the vehicle's history limits refuse it (history-limits.ts).
 * A record whose time or expiry is outside what a database can hold (a garbled timediff or
 * lifetime) is ignored like any malformed record, never handed to the store to fail there.
 */
function saveHistory(
  hub: Hub,
  car: Connection,
  rec: { code: string; type: string; recordNumber: number; lifetime: number; data: string },
  timestamp: number,
): Promise<boolean> {
  const expires = timestamp + rec.lifetime * 1000;
  if (!(timestamp >= HISTORY_TIME_MIN && expires <= HISTORY_TIME_MAX)) {
    ignore(car, rec.code, 'record time out of range');
    return Promise.resolve(true);
  }
  const data = Buffer.from(rec.data, 'latin1');
  if (hub.historyLimits.admit(car.vehicle!, car.vehicleKey, data.length)) return Promise.resolve(false);
  const record = { type: rec.type, recno: rec.recordNumber, timestamp: new Date(timestamp), data };
  if (hub.carMessages.active) {
    // Observers (the recorder reads the modules' trip and charge logs) see it in H form, at its time.
    const payload = Buffer.from(`${rec.type},${rec.recordNumber},${rec.lifetime},${rec.data}`, 'latin1');
    const { ownerId, vehicleId } = car.vehicle!;
    hub.carMessages.notify({
      ref: { ownerId, vehicleId },
      code: 'H',
      payload,
      time: record.timestamp,
      key: car.vehicleKey,
      transport: car.link.transport,
    });
  }
  return hub.store.addHistory(car.vehicle!, { ...record, expires: new Date(expires) }).then(() => true);
}

function handleCarParanoid(hub: Hub, car: Connection, msg: Message): Promise<void> | undefined {
  const e = decodeParanoid(msg.payload.toString('latin1'));
  if (e.kind === 'invalid') return ignore(car, 'E', e.error);
  if (e.kind === 'paranoid-token') {
    car.ptoken = e.token;
    const vehicle = car.vehicle!;
    const relayToken = (written?: Promise<void>) => hub.toClients(car, [busLine('E', msg.payload)], written);
    if (vehicle.ptoken === e.token) return relayToken();
    vehicle.ptoken = e.token;
    // A login's replay sends the stored token before the stored paranoid messages.
    const written = hub.store.setParanoidToken(vehicle, e.token);
    return Promise.all([relayToken(written), written]).then(() => undefined);
  }
  const inner = Buffer.from(e.payload, 'latin1');
  switch (e.innerCode) {
    case 'c':
      // The server cannot read the reply, so it cannot tell a multi-line one's end: pop per line.
      return hub.routeReply(car, 'E', msg.payload, undefined, true);
    case 'A':
    case 'a':
    case 'P':
    case 'p':
    case 'g':
    case 'G':
    case 'C':
    case 'h':
    case 'H':
    case 'E':
      return ignore(car, 'E', `paranoid ${e.innerCode} cannot be handled (the server cannot read it)`);
    default:
      return storeAndRelay(hub, car, e.innerCode, inner, true, 'E', msg.payload);
  }
}

// ---- from apps and batch clients --------------------------------------------------------------------

/**
 * True when the client's permit lacks `right` (a scheme-1 login with a token that does not grant
 * it); the first refusal of a connection is logged.
 */
function lacks(conn: Connection, right: VehicleRight, what: string): boolean {
  if (isPermitted(conn.permit, right)) return false;
  if (!conn.refusalLogged) {
    conn.refusalLogged = true;
    conn.log.warn({ client: conn.label, right }, `refused ${what}: the login lacks ${right} (logged once)`);
  }
  return true;
}

const SHELL: VehicleRight = 'vehicle.shell';

function handleClientMessage(hub: Hub, conn: Connection, msg: Message): Promise<void> | undefined {
  const isApp = conn.clientType === 'A';
  switch (msg.code) {
    case 'C':
      return handleCommand(hub, conn, msg.payload);
    case 'G':
      hub.groups.subscribe(conn, msg.payload.toString('latin1').split(',', 1)[0] ?? '', isApp);
      return undefined;
    case 'E': {
      const e = decodeParanoid(msg.payload.toString('latin1'));
      if (e.kind === 'invalid') return ignore(conn, 'E', e.error);
      if (e.kind === 'paranoid-token') return ignore(conn, 'E', 'paranoid tokens come from the car');
      // The server cannot read what a paranoid message asks of the car: it needs every right.
      if (lacks(conn, SHELL, 'a paranoid message')) return undefined;
      // A paranoid command: queued like any command, though its number cannot be read.
      if (e.innerCode === 'C') {
        if (!reserveCommand(hub, conn, undefined)) return undefined;
        return hub.toCar(conn, 'E', msg.payload, {});
      }
      return isApp
        ? hub.toCar(conn, 'E', msg.payload)
        : ignore(conn, 'E', 'batch clients only send commands');
    }
    case 'P':
      // The reference lets batch clients raise alerts (its notify tool); apps may not.
      return isApp ? ignore(conn, 'P', 'apps may not raise alerts') : relayAlert(hub, conn, msg.payload);
    case 'c':
    case 'g':
    case 'h':
    case 'H':
      return ignore(conn, msg.code, 'only cars send this');
    default:
      if (!isApp) return ignore(conn, msg.code, 'batch clients only send commands');
      if (msg.payload.length > MAX_CAR_PAYLOAD) return ignore(conn, msg.code, 'too long for the car');
      if (lacks(conn, SHELL, `a raw ${msg.code} message`)) return undefined;
      return hub.toCar(conn, msg.code, msg.payload);
  }
}

async function handleCommand(hub: Hub, conn: Connection, payload: Buffer): Promise<void> {
  const cmd = decodeCommand(payload.toString('latin1'));
  if (cmd.kind !== 'command') {
    ignore(conn, 'C', cmd.error);
    commandRefused(conn, hub.config.limits);
    return;
  }
  const right = commandRight(cmd.command);
  if (lacks(conn, right, `command ${cmd.command}`)) {
    conn.send('c', `${cmd.command},1,insufficient rights (needs ${right})`);
    commandRefused(conn, hub.config.limits);
    return;
  }
  if (SERVER_COMMANDS.has(cmd.command)) {
    // Written as the app reads it: a history of any length, never over the output limit.
    const lines = serverCommandLines(hub.store, conn.vehicle!, cmd.command, cmd.params);
    await sendPaced(conn, 'c', lines, pacingThreshold(hub.config.limits.outputBuffer));
    return;
  }
  if (payload.length > MAX_CAR_PAYLOAD) {
    conn.send('c', `${cmd.command},1,command too long for the car`);
    commandRefused(conn, hub.config.limits);
    return;
  }
  // Over the cap, the busy reply goes out at once: a flood costs no presence look-up per line.
  if (conn.pendingCommands?.full && cmd.command !== 5) {
    refuseBusy(hub, conn, cmd.command);
    return;
  }
  if (!(await hub.carConnected(conn.vehicleKey))) {
    // The reference drops it silently; an app then waits for nothing.
    conn.send('c', `${cmd.command},1,vehicle not connected`);
    commandRefused(conn, hub.config.limits);
    return;
  }
  // Command 5 (reboot) never gets a `c` (WIRE.md §4.2): nobody waits for one.
  if (cmd.command === 5) return hub.toCar(conn, 'C', payload);
  if (!reserveCommand(hub, conn, cmd.command)) return;
  await hub.toCar(conn, 'C', payload, { command: cmd.command });
}

/**
 * Counts a command against the sender's cap (`limits.max_pending_commands_per_app`) until its
 * final reply, its expiry or the sender's close. Over the cap the command is refused (`refuseBusy`)
 * and nothing is queued.
 */
function reserveCommand(hub: Hub, conn: Connection, command: number | undefined): boolean {
  const { limits, timeouts } = hub.config;
  conn.pendingCommands ??= new CommandRouter({
    max: limits.maxPendingCommandsPerApp,
    ttlMs: timeouts.command,
  });
  if (conn.pendingCommands.push({ node: '', conn: '', command })) return true;
  refuseBusy(hub, conn, command);
  return false;
}

/**
 * A command over the sender's cap: answered at once with the busy reply (a paranoid command, whose
 * number is unknown, is dropped); the first refusal of a connection is logged, and refusals pace
 * the reading of the sender's socket (`commandRefused`).
 */
function refuseBusy(hub: Hub, conn: Connection, command: number | undefined): void {
  const { limits } = hub.config;
  if (!conn.refusedCommands++) {
    conn.log.warn(
      { client: conn.label, limit: limits.maxPendingCommandsPerApp },
      'command refused: too many commands awaiting a reply (limits.max_pending_commands_per_app)',
    );
  }
  if (command !== undefined) conn.send('c', busyReplyBytes(command));
  commandRefused(conn, limits);
}
