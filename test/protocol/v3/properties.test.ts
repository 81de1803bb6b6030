import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { decodeCommand, decodeMessage } from '../../../src/protocol/messages/index.js';
import {
  buildV2Messages,
  decodeMetric,
  historyFromDataNotification,
  levelProblem,
  MAX_SHELL_LINE,
  MetricState,
  metricsFromV2,
  parseRelativeTopic,
  parseTopic,
  pathToMetric,
  pushFromNotification,
  replyFromShellOutputs,
  STANDARD_METRICS,
  splitDefaultPrefix,
  translateCommand,
  ussdReplyFromNotification,
  V2_CODES,
  V2_FIELD_MAPS,
} from '../../../src/protocol/v3/index.js';

/**
 * Whatever a module, a broker or an app sends, the v3 code returns a result and never throws, and
 * what it produces stays well-formed: v2 lines the v2 decoders accept with the right field count,
 * metric texts the metric decoder accepts, shell lines without line breaks.
 */

const RUNS = { numRuns: 300 };
const NAMES = STANDARD_METRICS.map((info) => info.name);

/** Text biased towards what matters here: separators, numbers, yes/no, dates, line breaks. */
const fragment = fc.oneof(
  fc.constantFrom(
    ',',
    '/',
    '.',
    ' ',
    '\n',
    '\r',
    '+',
    '#',
    '-',
    'nan',
    'inf',
    'yes',
    'no',
    ':',
    '"',
    "'",
    'e',
  ),
  fc.integer({ min: -1_000_000, max: 1_000_000 }).map(String),
  fc.double({ noNaN: false }).map(String),
  fc.constantFrom('2026-08-22 10:15:00 CEST', '22:00:00', '230,231.5,nan', 'ERROR', 'Error: x', 'USSD:\n\n'),
  fc.string({ maxLength: 8 }),
);
const text = fc.array(fragment, { maxLength: 12 }).map((parts) => parts.join(''));
const metricName = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...NAMES) },
  { weight: 1, arbitrary: text },
);

test('parseTopic never throws and always says why it rejects', () => {
  fc.assert(
    fc.property(text, text, (topic, prefix) => {
      for (const result of [parseTopic(topic, prefix), parseTopic(`ovms/a/B/${topic}`, 'ovms/a/B/')]) {
        if (!result.ok) assert.ok(result.reason.length > 0);
      }
    }),
    RUNS,
  );
});

test('a followed topic read without splitting it all agrees with the level-by-level rules', () => {
  fc.assert(
    fc.property(text, (rest) => {
      const topic = `ovms/${rest}`;
      const levels = topic.split('/');
      const [, user = '', vehicleId = ''] = levels;
      const fine =
        levels.length >= 4 && levelProblem(user) === undefined && levelProblem(vehicleId) === undefined;
      assert.deepEqual(
        splitDefaultPrefix(topic),
        fine
          ? { user, vehicleId, prefix: `ovms/${user}/${vehicleId}/`, rest: levels.slice(3).join('/') }
          : undefined,
      );
      const metricLevels = rest.split('/');
      const byLevels = metricLevels.every((l) => levelProblem(l) === undefined)
        ? pathToMetric(metricLevels)
        : undefined;
      const parsed = parseRelativeTopic(`metric/${rest}`);
      if (byLevels && 'name' in byLevels)
        assert.deepEqual(parsed, { ok: true, topic: { kind: 'metric', metric: byLevels.name } });
      else assert.equal(parsed.ok, false);
    }),
    RUNS,
  );
});

test('MetricState.set gives what a batch of that one update gives, state included', () => {
  fc.assert(
    fc.property(
      fc.array(fc.tuple(metricName, fc.oneof(text, fc.constant(''))), { maxLength: 30 }),
      (updates) => {
        const one = new MetricState();
        const batch = new MetricState();
        for (const [name, value] of updates) {
          assert.deepEqual(one.set(name, value), batch.apply([[name, value]]));
          assert.deepEqual([...one.metrics()], [...batch.metrics()]);
        }
      },
    ),
    RUNS,
  );
});

test('decodeMetric never throws: a value, or undefined and a reason', () => {
  fc.assert(
    fc.property(metricName, text, (name, value) => {
      const decoded = decodeMetric(name, value);
      if (decoded.value === undefined) assert.ok(decoded.reason.length > 0);
    }),
    RUNS,
  );
});

test('any metric updates give v2 lines the v2 decoders accept, with the full field count', () => {
  const counts: Record<string, number> = Object.fromEntries(
    Object.entries(V2_FIELD_MAPS).map(([code, map]) => [code, map.length]),
  );
  fc.assert(
    fc.property(fc.array(fc.tuple(metricName, text), { maxLength: 40 }), fc.boolean(), (updates, online) => {
      const state = new MetricState();
      state.apply(updates);
      for (const units of ['K', 'M'] as const) {
        for (const { code, payload } of buildV2Messages(V2_CODES, state, { units, online })) {
          assert.ok(!payload.includes('\n'), `${code}: line feed`);
          const message = decodeMessage(code + payload);
          assert.notEqual(message.kind, 'invalid');
          if (code !== 'Y') assert.equal(payload.split(',').length, counts[code], `${code}${payload}`);
        }
      }
    }),
    RUNS,
  );
});

test('any v2 car line gives metric texts the metric decoder accepts', () => {
  fc.assert(
    fc.property(fc.constantFrom('S', 'D', 'L', 'F', 'W', 'X', 'Y'), text, (code, payload) => {
      const { metrics } = metricsFromV2(decodeMessage(code + payload), { units: 'M' });
      for (const [name, value] of metrics) {
        assert.ok(value !== '', name);
        assert.notEqual(decodeMetric(name, value).value, undefined, `${name}=${JSON.stringify(value)}`);
      }
    }),
    RUNS,
  );
});

/** Mostly the codes with shell equivalents, with a plausible first parameter (a key, mode or PIN). */
const commandCode = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(2, 4, 7, 10, 15, 16, 17, 20, 24, 26, 41, 49) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 300 }) },
);
const commandParams = fc
  .tuple(fc.constantFrom('', '1,', '5,', '8,', '0042,', '3,13,'), text)
  .map((p) => p.join(''));

test('any command gives a translation; shell lines have no line break and fit the shell', () => {
  fc.assert(
    fc.property(commandCode, commandParams, fc.array(text, { maxLength: 3 }), (code, params, outputs) => {
      const command = decodeCommand(`${code},${params}`);
      if (command.kind !== 'command') return;
      const translation = translateCommand(command, { vehicleType: 'RT' });
      if (translation.kind !== 'shell') return;
      for (const line of translation.lines) {
        assert.ok(!/[\r\n]/.test(line) && line.length <= MAX_SHELL_LINE, line);
      }
      for (const reply of replyFromShellOutputs(translation, outputs)) {
        assert.ok(!reply.includes('\n'));
        assert.equal(decodeMessage(reply).kind, 'command-response', reply);
      }
    }),
    RUNS,
  );
});

test('notifications never throw and never give a line feed', () => {
  fc.assert(
    fc.property(
      fc.constantFrom('info', 'alert', 'error') as fc.Arbitrary<'info' | 'alert' | 'error'>,
      text,
      text,
      (type, subtype, body) => {
        assert.ok(!pushFromNotification(type, subtype, body).includes('\n'));
        assert.ok(!(ussdReplyFromNotification(type, 'modem.received.ussd', body) ?? '').includes('\n'));
        const result = historyFromDataNotification(subtype, body, `${body},${subtype}`);
        if (!result.ok) assert.ok(result.reason.length > 0);
      },
    ),
    RUNS,
  );
});
