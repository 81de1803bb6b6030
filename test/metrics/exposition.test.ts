import assert from 'node:assert/strict';
import { test } from 'node:test';
import { spellNaN } from '../../src/metrics/metrics.js';
import { parsePrometheusText } from '../helpers/prometheus-text.js';

test('a value that is not a number is written NaN, as the text format spells it (prom-client writes Nan)', () => {
  // What prom-client printed for the event-loop lag scraped before its first sample.
  const scraped = [
    '# HELP nodejs_eventloop_lag_mean_seconds The mean of the recorded event loop delays.',
    '# TYPE nodejs_eventloop_lag_mean_seconds gauge',
    'nodejs_eventloop_lag_mean_seconds Nan',
    '# HELP ovms_bus_nodes Nodes seen on the bus.',
    '# TYPE ovms_bus_nodes gauge',
    'ovms_bus_nodes 2',
    '',
  ].join('\n');
  assert.throws(() => parsePrometheusText(scraped), /bad value/);
  const fixed = spellNaN(scraped);
  assert.match(fixed, /^nodejs_eventloop_lag_mean_seconds NaN$/m);
  assert.match(fixed, /^ovms_bus_nodes 2$/m);
  parsePrometheusText(fixed);
});
