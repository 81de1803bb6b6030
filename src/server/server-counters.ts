/**
 * What one node has done since it started, counted where it happens and read by the metrics
 * (src/metrics) at scrape time. The hot paths (every line a client sends, every relay) only add to
 * a slot of a typed array indexed by the code's byte: no labels, strings or allocations, whether
 * metrics are on or not. Nothing here names a vehicle or an owner.
 */

/** Login outcomes, as `ovms_logins_total{result}` names them. */
export const LOGIN_RESULTS = ['ok', 'refused', 'throttled'] as const;
export type LoginResult = (typeof LOGIN_RESULTS)[number];

/**
 * Login kinds, as `ovms_logins_total{kind}` names them: v2 by the welcome's client type, `mqtt` for
 * MQTT logins (the embedded broker's, v3 modules and MQTT apps alike: a refused one names neither;
 * and an external broker's, asked through /mqapi/auth), `http` for the HTTP API's password checks.
 */
export const LOGIN_KINDS = ['car', 'app', 'batch', 'mqtt', 'http'] as const;

function loginKind(clientType: string | undefined): number {
  return clientType === 'C' ? 0 : clientType === 'B' ? 2 : 1;
}

/**
 * Commands on their way to this node's cars (counted at the car's command queue, so once per
 * command whichever node or HTTP request sent it). `roundTrip`, when set, is told each answered
 * command's time from its send to the car's final reply line.
 */
export interface CommandStats {
  /** Queued for the car and sent to it. */
  sent: number;
  /** The car's final reply reached the queue (its requester may have gone meanwhile). */
  answered: number;
  /** Forgotten after `timeouts.command` without a final reply. */
  timedOut: number;
  /** Still waiting when the car disconnected. */
  carGone: number;
  /** Refused at once: too many already waited for this car (`limits.max_pending_commands_per_car`). */
  refused: number;
  roundTrip: ((ms: number) => void) | undefined;
}

export class ServerCounters {
  /** Lines from logged-in clients: index = code byte, + 256 for apps and batch clients. */
  readonly received = new Float64Array(512);
  /** Lines delivered to this node's apps and batch clients (one per recipient), by code byte. */
  readonly relayed = new Float64Array(256);
  /** Logins: index = result × LOGIN_KINDS.length + kind (LOGIN_RESULTS, LOGIN_KINDS). */
  readonly logins = new Float64Array(LOGIN_RESULTS.length * LOGIN_KINDS.length);
  readonly commands: CommandStats = {
    sent: 0,
    answered: 0,
    timedOut: 0,
    carGone: 0,
    refused: 0,
    roundTrip: undefined,
  };

  /** A line from a logged-in client (called for every line: keep it this small). */
  receivedLine(isCar: boolean, code: string): void {
    this.received[(isCar ? 0 : 256) + (code.charCodeAt(0) & 255)]!++;
  }

  /** `lines` delivered to `recipients` apps and batch clients. */
  relayedLines(lines: readonly { code: string }[], recipients: number): void {
    for (const l of lines) this.relayed[l.code.charCodeAt(0) & 255]! += recipients;
  }

  /** A v2 login, by the welcome's client type. */
  login(result: LoginResult, clientType: string | undefined): void {
    this.logins[LOGIN_RESULTS.indexOf(result) * LOGIN_KINDS.length + loginKind(clientType)]!++;
  }

  /** A login to an MQTT broker (the embedded one, or an external one through /mqapi/auth). */
  mqttLogin(result: LoginResult): void {
    this.logins[LOGIN_RESULTS.indexOf(result) * LOGIN_KINDS.length + 3]!++;
  }

  /** A password (or API token as password) checked by the HTTP API. */
  httpLogin(result: LoginResult): void {
    this.logins[LOGIN_RESULTS.indexOf(result) * LOGIN_KINDS.length + 4]!++;
  }
}
