import type { Bus, ConnAddress } from '../bus/bus.js';
import type { ServerConfig } from '../config/config.js';
import { decodeCommandResponse, isFinalResponseLine } from '../protocol/messages/command.js';
import type { Store, VehicleRef } from '../store/store.js';
import { busyReply } from './command-router.js';
import { answerServerCommand, SERVER_COMMANDS } from './server-commands.js';

/**
 * A v3 car reads through a 1 KiB ring buffer and stalls for good on a longer line (WIRE.md §1):
 * base64 of "MP-0 " + code + payload, plus CR LF, must stay well under that.
 */
export const MAX_CAR_PAYLOAD = 700;

/**
 * Most bytes of a server-answered command's lines one request collects (commands 30-32 through
 * POST /api/command): its last line then says k of n. GET /api/historical streams a whole history.
 */
export const MAX_COLLECTED_ANSWER = 1_048_576;

/** Why a command sent by the server itself failed: the HTTP API maps these to 409, 504 and 400. */
export class CommandError extends Error {
  readonly code = 'OVMS_ERR_COMMAND';
  constructor(
    readonly reason: 'offline' | 'timeout' | 'too-long' | 'busy',
    message: string,
  ) {
    super(message);
    this.name = 'CommandError';
  }
}

/** What ServerRequests needs of the hub. */
export interface RequestHost {
  readonly bus: Bus;
  readonly store: Store;
  readonly config: ServerConfig;
  carConnected(vehicleKey: string): Promise<boolean>;
  retain(vehicleKey: string): Promise<void>;
  release(vehicleKey: string): Promise<void>;
  cancelRequests(vehicleKey: string, requester: ConnAddress): Promise<void>;
}

/**
 * Commands the server sends to cars on its own behalf (for the HTTP API). Each one is a requester
 * with an id of its own on the car's queue, so its reply is routed to it like an app's. On this node
 * the HTTP API counts as one app per vehicle: at most `limits.max_pending_commands_per_app` of its
 * commands to one vehicle wait at once; the car's node applies its own cap to all requesters.
 */
export class ServerRequests {
  private readonly waiters = new Map<string, (code: string, payload: Buffer) => void>();
  /** Commands awaiting a reply, per vehicle key. */
  private readonly inFlight = new Map<string, number>();
  private next = 1;

  constructor(private readonly host: RequestHost) {}

  /** Hands a routed reply to its waiting command; false when the id is not one of ours. */
  deliver(id: string, code: string, payload: Buffer): boolean {
    const waiter = this.waiters.get(id);
    if (!waiter) return false;
    waiter(code, payload);
    return true;
  }

  /**
   * Sends a command to a vehicle's car and resolves with every reply line (payloads after `c`).
   * Server-answered commands (30, 31, 32) are answered from the store.
   */
  async command(
    ref: VehicleRef,
    command: number,
    params: readonly string[],
    timeoutMs: number,
  ): Promise<Buffer[]> {
    const { bus, store } = this.host;
    if (SERVER_COMMANDS.has(command))
      return answerServerCommand(store, ref, command, params, MAX_COLLECTED_ANSWER);
    const key = `${ref.ownerId}/${ref.vehicleId}`;
    const payload = Buffer.from([String(command), ...params].join(','), 'utf8');
    if (payload.length > MAX_CAR_PAYLOAD) throw new CommandError('too-long', 'command too long for the car');
    if (!(await this.host.carConnected(key))) throw new CommandError('offline', 'vehicle not connected');
    const waiting = this.inFlight.get(key) ?? 0;
    if (waiting >= this.host.config.limits.maxPendingCommandsPerApp) throw busy();
    this.inFlight.set(key, waiting + 1);
    const id = `cmd-${this.next++}`;
    const requester = { node: bus.nodeId, conn: id, command };
    let answered = false;
    await this.host.retain(key);
    try {
      const lines = await new Promise<Buffer[]>((resolve, reject) => {
        const lines: Buffer[] = [];
        const timer = setTimeout(
          () => reject(new CommandError('timeout', `no reply from the car within ${timeoutMs} ms`)),
          timeoutMs,
        );
        this.waiters.set(id, (code, reply) => {
          if (code !== 'c') return;
          lines.push(reply);
          const decoded = decodeCommandResponse(reply.toString('latin1'));
          if (decoded.kind !== 'command-response' || isFinalResponseLine(decoded)) {
            clearTimeout(timer);
            answered = true;
            resolve(lines);
          }
        });
        bus.publish(key, { type: 'to-car', line: { code: 'C', payload }, requester }).catch(reject);
      });
      if (lines.length === 1 && lines[0]!.toString('latin1') === busyReply(command)) throw busy();
      return lines;
    } finally {
      this.waiters.delete(id);
      const left = (this.inFlight.get(key) ?? 1) - 1;
      if (left > 0) this.inFlight.set(key, left);
      else this.inFlight.delete(key);
      // Timed out: the car's node stops counting the request (a late reply is dropped).
      if (!answered) await this.host.cancelRequests(key, requester).catch(() => {});
      await this.host.release(key);
    }
  }
}

function busy(): CommandError {
  return new CommandError('busy', "too many commands awaiting the car's reply");
}
