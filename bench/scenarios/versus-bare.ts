import { type StartTarget, startBareRelay, startBenchServer } from '../server-process.js';
import { loginsScenario } from './logins.js';
import { relayScenario } from './relay.js';

interface Measured {
  rate: number;
  cpuUs: { server: number; generator: number };
}

interface Compared {
  server: Measured;
  bare: Measured;
  /** Server rate ÷ bare relay rate (the target is judged on this). */
  rateRatio: number;
  /** Bare relay CPU per unit ÷ server CPU per unit: the same ratio, had each had a core of its own. */
  cpuRatio: number;
}

const round2 = (n: number) => Math.round(n * 100) / 100;

function compare(server: Measured, bare: Measured): Compared {
  return {
    server,
    bare,
    rateRatio: round2(server.rate / bare.rate),
    cpuRatio: round2(bare.cpuUs.server / server.cpuUs.server),
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : round2((sorted[mid - 1]! + sorted[mid]!) / 2);
}

/**
 * The server beside bench/bare-relay.ts (handshake and relay only) under the same load generator,
 * in one run: car logins, app logins and the relay, each measured on both back to back, the order
 * swapped every round, so both sides see the same machine. Prints server/bare ratios per round.
 */
export async function versusBareScenario(rounds = 3, logins = 1000, relaySeconds = 5) {
  const kinds: Record<string, (start: StartTarget) => Promise<Measured>> = {
    carLogins: async (start) => {
      const r = await loginsScenario(logins, 50, 300, 'C', start);
      return { rate: r.loginsPerSecond, cpuUs: r.cpuUsPerLogin };
    },
    appLogins: async (start) => {
      const r = await loginsScenario(logins, 50, 300, 'A', start);
      return { rate: r.loginsPerSecond, cpuUs: r.cpuUsPerLogin };
    },
    relay: async (start) => {
      const r = await relayScenario(100, 2, 4, relaySeconds, undefined, start);
      return { rate: r.deliveriesPerSecond, cpuUs: r.cpuUsPerDelivery };
    },
  };
  const perRound: Record<string, Compared>[] = [];
  for (let round = 0; round < rounds; round++) {
    const results: Record<string, Compared> = {};
    for (const [kind, measure] of Object.entries(kinds)) {
      // Every other round the bare relay goes first, so a drift in the machine's load evens out.
      const serverFirst = round % 2 === 0;
      const first = await measure(serverFirst ? startBenchServer : startBareRelay);
      const second = await measure(serverFirst ? startBareRelay : startBenchServer);
      results[kind] = serverFirst ? compare(first, second) : compare(second, first);
      const c = results[kind]!;
      process.stderr.write(
        `bench: versus-bare round ${round + 1} ${kind}: server ${c.server.rate}/s (${c.server.cpuUs.server} µs CPU), ` +
          `bare ${c.bare.rate}/s (${c.bare.cpuUs.server} µs CPU): ${c.rateRatio}× rate, ${c.cpuRatio}× CPU\n`,
      );
    }
    perRound.push(results);
  }
  const summary = Object.fromEntries(
    Object.keys(kinds).map((kind) => [
      kind,
      {
        rateRatio: median(perRound.map((r) => r[kind]!.rateRatio)),
        cpuRatio: median(perRound.map((r) => r[kind]!.cpuRatio)),
      },
    ]),
  );
  return { rounds, logins, relaySeconds, median: summary, perRound };
}
