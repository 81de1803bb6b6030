import {
  type StartTarget,
  startBareRelay,
  startBenchServer,
  startUncorkedBareRelay,
} from '../server-process.js';
import { loginsScenario } from './logins.js';
import { relayScenario } from './relay.js';

interface Measured {
  rate: number;
  cpuUs: { server: number; generator: number };
}

interface Ratio {
  /** Server rate ÷ bare relay rate (the target is judged on this). */
  rate: number;
  /** Bare relay CPU per unit ÷ server CPU per unit: the rate ratio each would have on a core of its own. */
  cpu: number;
}

const round2 = (n: number) => Math.round(n * 100) / 100;

const ratio = (server: Measured, bare: Measured): Ratio => ({
  rate: round2(server.rate / bare.rate),
  cpu: round2(bare.cpuUs.server / server.cpuUs.server),
});

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : round2((sorted[mid - 1]! + sorted[mid]!) / 2);
}

const YARDSTICKS: Record<string, StartTarget> = {
  server: startBenchServer,
  bare: startBareRelay,
  // One write per line: the simplest relay (the server and `bare` write a turn's lines at once).
  bareUncorked: startUncorkedBareRelay,
};

/**
 * The server beside bench/bare-relay.ts (handshake and relay only) under the same load generator,
 * in one run: car logins, app logins and the relay, each measured on every side back to back, the
 * order rotated every round so a change in the machine's load falls on all sides alike. Prints the
 * server/bare ratios of each round; the result holds every figure and the medians of the ratios.
 */
export async function versusBareScenario(rounds = 3, logins = 1000, relaySeconds = 5) {
  const kinds: Record<string, { sides: string[]; measure(start: StartTarget): Promise<Measured> }> = {
    carLogins: {
      sides: ['server', 'bare'],
      measure: async (start) => {
        const r = await loginsScenario(logins, 50, 300, 'C', start);
        return { rate: r.loginsPerSecond, cpuUs: r.cpuUsPerLogin };
      },
    },
    appLogins: {
      sides: ['server', 'bare'],
      measure: async (start) => {
        const r = await loginsScenario(logins, 50, 300, 'A', start);
        return { rate: r.loginsPerSecond, cpuUs: r.cpuUsPerLogin };
      },
    },
    relay: {
      sides: ['server', 'bare', 'bareUncorked'],
      measure: async (start) => {
        const r = await relayScenario(100, 2, 4, relaySeconds, undefined, start);
        return { rate: r.deliveriesPerSecond, cpuUs: r.cpuUsPerDelivery };
      },
    },
  };
  const perRound: Record<string, Record<string, Measured>>[] = [];
  for (let round = 0; round < rounds; round++) {
    const results: Record<string, Record<string, Measured>> = {};
    for (const [kind, { sides, measure }] of Object.entries(kinds)) {
      const order = [...sides.slice(round % sides.length), ...sides.slice(0, round % sides.length)];
      const measured: Record<string, Measured> = {};
      for (const side of order) measured[side] = await measure(YARDSTICKS[side]!);
      results[kind] = measured;
      const server = measured.server!;
      const against = sides
        .slice(1)
        .map((side) => {
          const r = ratio(server, measured[side]!);
          return `${side} ${measured[side]!.rate}/s (${measured[side]!.cpuUs.server} µs): ${r.rate}× rate, ${r.cpu}× CPU`;
        })
        .join('; ');
      process.stderr.write(
        `bench: versus-bare round ${round + 1} ${kind}: server ${server.rate}/s (${server.cpuUs.server} µs CPU); ${against}\n`,
      );
    }
    perRound.push(results);
  }
  const medians: Record<string, Ratio> = {};
  for (const [kind, { sides }] of Object.entries(kinds)) {
    for (const side of sides.slice(1)) {
      const ratios = perRound.map((r) => ratio(r[kind]!.server!, r[kind]![side]!));
      const name = side === 'bare' ? kind : `${kind}/${side}`;
      medians[name] = { rate: median(ratios.map((r) => r.rate)), cpu: median(ratios.map((r) => r.cpu)) };
    }
  }
  return { rounds, logins, relaySeconds, median: medians, perRound };
}
