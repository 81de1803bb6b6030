import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defaultSettings } from '../../src/cli/car/car-commands.js';
import { executeShell, type ShellContext } from '../../src/cli/car/shell.js';
import { DEFAULT_V3_INTERVALS, PRESENCE_MS, V3Cadence } from '../../src/cli/car/v3-cadence.js';
import { carMetrics } from '../../src/cli/car/v3-metrics.js';
import {
  DEFAULT_IDENTITY,
  environmentPayload,
  firmwarePayload,
  statusPayload,
} from '../../src/cli/car/vehicle-messages.js';
import { VehicleModel } from '../../src/cli/car/vehicle-model.js';
import type { Phase } from '../../src/cli/car/vehicle-state.js';
import { decodeCommand } from '../../src/protocol/messages/index.js';
import {
  buildEnvironment,
  buildFirmware,
  buildStatus,
  MetricState,
  replyFromShellOutputs,
  translateCommand,
} from '../../src/protocol/v3/index.js';

/**
 * The simulated v3 module without sockets: its metrics rebuild the v2 simulator's messages
 * through the bridge's own builders, its shell answers every command translation of V3.md §6 the
 * way the bridge expects, and its publishing schedule follows V3.md §2.3/§3.1.
 */

const START = Date.UTC(2026, 7, 22, 10, 0, 0);

function model(phase: Phase = 'park'): VehicleModel {
  return new VehicleModel({ seed: 1, scenario: phase, startMs: START });
}

function context(m: VehicleModel): ShellContext {
  const settings = defaultSettings({
    pin: '1234',
    vehicleId: 'SIM1',
    server: 'example.org',
    vehicleType: 'DEMO',
  });
  return { model: m, settings, metrics: () => carMetrics(m, DEFAULT_IDENTITY) };
}

// The bridge reads canwrite (F4) from the module's config; the simulator's is 1.
const BUILD = { units: 'K', online: true, canwrite: '1' } as const;
const fields = (payload: string) => payload.split(',');

test('the metrics rebuild the v2 simulator messages: SOC, ranges, charge state, doors and lock, identity', () => {
  for (const phase of ['park', 'drive', 'charge'] as const) {
    const m = model(phase);
    m.advance(600);
    m.setLocked(true);
    const state = new MetricState();
    state.apply(carMetrics(m, DEFAULT_IDENTITY));
    const [s, v2s] = [fields(buildStatus(state, BUILD)), fields(statusPayload(m))];
    // SOC, unit, charge mode, ideal and estimated range, charge limit, SOC limit.
    for (const n of [1, 2, 6, 7, 8, 9, 23]) assert.equal(s[n - 1], v2s[n - 1], `${phase}: S field ${n}`);
    assert.equal(s[4], v2s[4] || 'stopped', `${phase}: charge state`);
    const [d, v2d] = [fields(buildEnvironment(state, BUILD)), fields(environmentPayload(m))];
    // Door bytes, lock state, odometer.
    for (const n of [1, 2, 3, 8, 12, 18]) assert.equal(d[n - 1], v2d[n - 1], `${phase}: D field ${n}`);
    assert.equal(d[2], '4', 'locked');
    assert.equal(buildFirmware(state, BUILD), firmwarePayload(m, DEFAULT_IDENTITY));
  }
});

test('text metrics hold the plain text (F carries them MP-encoded), dates as the firmware writes them', () => {
  const metrics = carMetrics(model(), DEFAULT_IDENTITY);
  assert.equal(metrics.get('m.net.mdm.mode'), 'LTE,Online');
  assert.equal(metrics.get('m.time.utc'), '2026-08-22 10:00:00 UTC');
  assert.equal(metrics.get('v.e.locked'), 'no');
  assert.equal(metrics.get('v.c.state'), 'done');
  assert.equal(metrics.get('v.p.latitude')?.split('.')[1]?.length, 6, 'latitude with 6 decimals');
});

/** Runs a v2 command the way the bridge does: its translation's shell lines, then the `c` reply. */
function viaBridge(ctx: ShellContext, line: string): string[] {
  const command = decodeCommand(line.slice(1));
  assert.equal(command.kind, 'command');
  const translation = translateCommand(command as Parameters<typeof translateCommand>[0]);
  assert.equal(translation.kind, 'shell', `${line} becomes shell lines`);
  if (translation.kind !== 'shell') return [];
  const outputs: string[] = [];
  for (const shellLine of translation.lines) {
    const { output } = executeShell(ctx, shellLine);
    outputs.push(output);
    if (/^Error:|^Usage:|^Unrecognised/.test(output)) break;
  }
  return replyFromShellOutputs(translation, outputs);
}

test("the shell answers the bridge's command translations (V3.md §6) as a module does", () => {
  const m = model('charge');
  m.advance(120);
  const ctx = context(m);
  assert.deepEqual(viaBridge(ctx, 'C20,9999'), ['c20,1'], 'wrong PIN');
  assert.equal(m.state.locked, false);
  assert.deepEqual(viaBridge(ctx, 'C20,1234'), ['c20,0']);
  assert.equal(m.state.locked, true);
  assert.deepEqual(viaBridge(ctx, 'C22,1234'), ['c22,0']);
  assert.deepEqual(viaBridge(ctx, 'C21,1234'), ['c21,0']);
  assert.equal(m.state.valet, true);
  assert.deepEqual(viaBridge(ctx, 'C10,3'), ['c10,0']);
  assert.equal(m.state.chargeMode, 3);
  assert.deepEqual(viaBridge(ctx, 'C16,0,8'), ['c16,0']);
  assert.deepEqual([m.state.chargeMode, m.state.chargeLimitAmps], [0, 8]);
  assert.deepEqual(viaBridge(ctx, 'C15,99'), ['c15,1'], 'the model refuses more than 32 A');
  assert.deepEqual(viaBridge(ctx, 'C12'), ['c12,0']);
  assert.deepEqual(viaBridge(ctx, 'C12'), ['c12,1'], 'nothing left to stop');
  assert.deepEqual(viaBridge(ctx, 'C11'), ['c11,0']);
  assert.deepEqual(viaBridge(ctx, 'C26,1'), ['c26,0']);
  assert.equal(m.state.climate, true);
  assert.deepEqual(viaBridge(ctx, 'C18'), ['c18,0']);
  assert.deepEqual(viaBridge(ctx, 'C24,2'), ['c24,0']);
  assert.deepEqual(viaBridge(ctx, 'C25'), ['c25,0']);
  assert.deepEqual(viaBridge(ctx, 'C17,1,300'), ['c17,0']);
  assert.deepEqual([m.state.timerMode, m.state.timerStart], [1, 300]);
  assert.deepEqual(viaBridge(ctx, 'C4,2,M'), ['c4,0,']);
  assert.equal(ctx.settings.params[2], 'M');
  assert.deepEqual(viaBridge(ctx, 'C2,8,2'), ['c2,0,']);
  assert.equal(ctx.settings.features[8], '2');
  const [list] = viaBridge(ctx, 'C7,metrics list v.b.soc');
  assert.match(list!, /^c7,0,v\.b\.soc +\d+(\.\d)?$/);
  assert.deepEqual(viaBridge(ctx, 'C7,frobnicate'), ['c7,0,Unrecognised command: frobnicate']);
  assert.deepEqual(viaBridge(ctx, 'C41,*100#'), ['c41,0']);
});

test('shell effects: update, notify raise, USSD and module reset are handed to the caller', () => {
  const ctx = context(model());
  assert.equal(executeShell(ctx, 'server v3 update all').update, 'all');
  const raised = executeShell(ctx, 'notify raise command info charge.stopped stat');
  assert.equal(raised.notify?.subtype, 'charge.stopped');
  assert.match(raised.notify?.text ?? '', /^Not charging\nSOC: 84\.5%/);
  assert.equal(executeShell(ctx, 'cellular cmd AT+CUSD=1,"*100#",15').ussd, '*100#');
  assert.equal(executeShell(ctx, 'module reset').reboot, true);
  assert.equal(executeShell(ctx, 'config set vehicle timezone "UTC+1 x"').output, 'Parameter has been set.');
  assert.equal(ctx.settings.params[23], 'UTC+1 x', 'a quoted value keeps its space');
  assert.match(executeShell(ctx, 'config set foo bar baz').output, /^Error: /);
});

test('schedule: a present client shortens the interval at once; presence lasts 120 s, 0 ends it', () => {
  const c = new V3Cadence({ ...DEFAULT_V3_INTERVALS, idle: 600, connected: 10 });
  const asleep = { on: false, charging: false, awake: false };
  assert.equal(c.modifiedDue(0, asleep), true, 'nothing sent yet');
  c.full(new Map([['v.b.soc', '80']]), 0);
  assert.equal(c.modifiedDue(11, asleep), false);
  assert.equal(c.presence('app', '1', 1000), true);
  assert.equal(c.modifiedDue(11, asleep), true, 'connected interval applies once a client is there');
  assert.equal(c.interval({ on: true, charging: false, awake: true }), 5, 'car on: 5 s');
  assert.equal(c.interval({ on: false, charging: true, awake: true }), 10, 'charging: 10 s');
  assert.equal(c.presence('app', '1', 2000), false, 'a renewal does not change the count');
  assert.equal(c.sweep(2000 + PRESENCE_MS - 1), false);
  assert.equal(c.sweep(2000 + PRESENCE_MS), true, 'expired 120 s after the last message');
  assert.equal(c.peers, 0);
  c.presence('app', '1', 0);
  assert.equal(c.presence('app', '0', 1), true, '0 ends it at once');
  assert.equal(c.interval({ on: false, charging: false, awake: true }), 60, 'awake: 60 s');
  // Changed-only: just what differs from the last send.
  assert.deepEqual(
    c.modified(
      new Map([
        ['v.b.soc', '80'],
        ['v.e.locked', 'yes'],
      ]),
      20,
    ),
    [['v.e.locked', 'yes']],
  );
});
