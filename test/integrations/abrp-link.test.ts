import assert from 'node:assert/strict';
import { describe, type TestContext, test } from 'node:test';
import { pino } from 'pino';
import type { SendOutcome } from '../../src/integrations/abrp/abrp-client.js';
import { applyCarMessage, type CarState } from '../../src/integrations/abrp/car-state.js';
import type { AbrpTelemetry } from '../../src/integrations/abrp/telemetry.js';
import { VehicleLink } from '../../src/integrations/abrp/vehicle-link.js';
import type { AbrpLink, AbrpStatus } from '../../src/store/store.js';
import { KM_LINES } from '../protocol/v3/fixtures.js';

/** The defaults of abrp.interval_s, parked_interval_s, retry_base_s, retry_max_s and breaker_failures. */
const TIMING = {
  intervalMs: 10_000,
  parkedIntervalMs: 1_800_000,
  retryBaseMs: 5_000,
  retryMaxMs: 300_000,
  breakerFailures: 5,
};

function withField(line: string, field: number, value: string): string {
  const parts = line.slice(1).split(',');
  parts[field - 1] = value;
  return `${line[0]}${parts.join(',')}`;
}
const DRIVING_S = withField(KM_LINES.S, 5, 'stopped');
const DRIVING_D = withField(KM_LINES.D, 10, '0');
const PARKED_D = KM_LINES.D;

/**
 * A link over a fake clock (node's mock timers: setTimeout and Date) and a fake ABRP: each send
 * takes the next scripted outcome (ok when none is left) and is recorded with the time it left.
 */
function harness(t: TestContext) {
  t.mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 1_000_000 });
  const sends: { at: number; tlm: AbrpTelemetry; token: string }[] = [];
  const outcomes: SendOutcome[] = [];
  const statuses: AbrpStatus[] = [];
  const apps: string[] = [];
  const logLines: string[] = [];
  const log = pino({ level: 'info' }, { write: (line: string) => void logLines.push(line) });
  const link: AbrpLink = {
    ownerId: 1,
    vehicleId: 'CAR1',
    token: 'tok-1',
    error: '',
    refused: false,
    errorAt: undefined,
    updatedAt: new Date(1),
  };
  const vehicle = new VehicleLink(link, {
    timing: TIMING,
    log,
    now: () => Date.now(),
    send: async (token, tlm) => {
      sends.push({ at: Date.now(), tlm, token });
      return outcomes.shift() ?? { kind: 'ok' };
    },
    recordStatus: async (_link, status) => {
      statuses.push(status);
      return true;
    },
    holdApp: () => apps.push('hold'),
    releaseApp: () => apps.push('release'),
  });
  t.after(() => vehicle.close());
  let car: CarState | undefined;
  const start = Date.now();
  return {
    vehicle,
    sends,
    outcomes,
    statuses,
    apps,
    logLines,
    /** Seconds since the start of the test, on the fake clock. */
    since: (at: number) => (at - start) / 1000,
    report(...lines: string[]) {
      for (const line of lines) car = applyCarMessage(car, line[0]!, Buffer.from(line.slice(1)), Date.now());
      vehicle.carReported(car!);
    },
    /** Moves the clock on and lets the sends it started finish. */
    async advance(seconds: number) {
      const settle = async () => {
        for (let j = 0; j < 5; j++) await new Promise((resolve) => setImmediate(resolve));
      };
      t.mock.timers.tick(0); // what is due now
      await settle();
      for (let i = 0; i < seconds; i++) {
        t.mock.timers.tick(1000);
        await settle();
      }
    },
  };
}

describe('ABRP sends of one vehicle', () => {
  test('driving: at most one send per abrp.interval_s, always the newest report', async (t) => {
    const h = harness(t);
    h.report(DRIVING_S, DRIVING_D, KM_LINES.L);
    await h.advance(1);
    assert.deepEqual(
      h.sends.map((s) => h.since(s.at)),
      [0],
      'the first report goes out at once',
    );
    for (let i = 1; i <= 25; i++) {
      h.report(withField(KM_LINES.L, 7, String(50 + i)));
      await h.advance(1);
    }
    assert.deepEqual(
      h.sends.map((s) => h.since(s.at)),
      [0, 10, 20],
    );
    assert.equal(h.sends[1]?.tlm.speed, 59, 'the newest report (second 9) when the interval came round');
    assert.deepEqual(h.apps, ['hold'], 'a driving car counts as an app');
  });

  test('parked: rarely (abrp.parked_interval_s), but parking itself goes out at the driving interval', async (t) => {
    const h = harness(t);
    h.report(DRIVING_S, DRIVING_D);
    await h.advance(1);
    h.report(PARKED_D);
    await h.advance(10);
    assert.deepEqual(
      h.sends.map((s) => [h.since(s.at), s.tlm.is_parked]),
      [
        [0, 0],
        [10, 1],
      ],
    );
    assert.deepEqual(h.apps, ['hold', 'release'], 'a parked car no longer counts as an app');
    // The module reports every ten minutes while parked: sent once per half hour.
    for (let minute = 1; minute <= 60; minute++) {
      if (minute % 10 === 0) h.report(PARKED_D);
      await h.advance(60);
    }
    assert.deepEqual(
      h.sends.map((s) => h.since(s.at)),
      [0, 10, 1810, 3610],
    );
  });

  test('failures: back-off doubles from abrp.retry_base_s; the breaker slows to abrp.retry_max_s and tells the owner once', async (t) => {
    const h = harness(t);
    const down: SendOutcome = { kind: 'retry', error: 'ABRP unreachable: connect ECONNREFUSED' };
    h.outcomes.push(down, down, down, down, down, down);
    h.report(DRIVING_S, DRIVING_D);
    await h.advance(1000);
    assert.deepEqual(
      h.sends.map((s) => h.since(s.at)),
      [0, 5, 15, 35, 75, 375, 675],
    );
    assert.deepEqual(
      h.statuses.map((s) => [s.error, s.refused]),
      [
        ['ABRP unreachable: connect ECONNREFUSED', false], // at the fifth failure
        ['', false], // the seventh attempt went through: cleared
      ],
    );
    assert.equal(h.logLines.filter((l) => l.includes('ABRP unreachable')).length, 1);
    assert.equal(h.logLines.filter((l) => l.includes('ABRP reachable again')).length, 1);
    assert.equal(h.vehicle.failures, 0);
  });

  test('a refused token: no more sends, the owner is told, the app count released; a new token resumes', async (t) => {
    const h = harness(t);
    h.outcomes.push({ kind: 'refused', error: 'ABRP refused the token (HTTP 401: 401 Unauthorized Token)' });
    h.report(DRIVING_S, DRIVING_D);
    await h.advance(1);
    assert.deepEqual(h.statuses, [
      {
        error: 'ABRP refused the token (HTTP 401: 401 Unauthorized Token)',
        refused: true,
        at: new Date(1_000_000),
      },
    ]);
    for (let i = 0; i < 60; i++) {
      h.report(withField(KM_LINES.L, 7, String(i)));
      await h.advance(1);
    }
    assert.equal(h.sends.length, 1, 'nothing after the refusal');
    assert.deepEqual(h.apps, ['hold', 'release']);
    h.vehicle.update({
      ...h.vehicle.link,
      token: 'tok-2',
      refused: false,
      error: '',
      updatedAt: new Date(2),
    });
    await h.advance(1);
    assert.deepEqual(
      h.sends.map((s) => s.token),
      ['tok-1', 'tok-2'],
    );
  });

  test('a send that ABRP does not take is dropped, not repeated; the next report goes out as usual', async (t) => {
    const h = harness(t);
    h.outcomes.push({ kind: 'failed', error: 'ABRP did not take the telemetry (HTTP 400: bad tlm)' });
    h.report(DRIVING_S, DRIVING_D);
    await h.advance(30);
    assert.equal(h.sends.length, 1, 'the same state is not sent again');
    h.report(KM_LINES.L);
    await h.advance(10);
    assert.deepEqual(
      h.sends.map((s) => h.since(s.at)),
      [0, 30],
    );
    assert.deepEqual(
      h.statuses.map((s) => s.error),
      ['ABRP did not take the telemetry (HTTP 400: bad tlm)', ''],
    );
  });
});
