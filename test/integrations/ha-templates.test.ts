import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { discoveryDocuments } from '../../src/integrations/home-assistant/discovery.js';

/**
 * The templates of the discovery documents, rendered by Jinja2, the engine Home Assistant renders
 * them with (Python's `jinja2` package; its `float` filter with a default behaves as Home
 * Assistant's). Home Assistant gives a state template `value` (and `value_json` for JSON) and a
 * lock's command template `value` and `code`; a state that renders `None` is unknown.
 */

interface Case {
  vars: Record<string, unknown>;
  expected: string;
}

function renderWithJinja2(jobs: { template: string; vars: Record<string, unknown> }[]): string[] {
  const script = [
    'import json, sys',
    'from jinja2 import Environment',
    'env = Environment()',
    'jobs = json.load(sys.stdin)',
    "print(json.dumps([env.from_string(j['template']).render(**j['vars']) for j in jobs]))",
  ].join('\n');
  const run = spawnSync('python3', ['-c', script], { input: JSON.stringify(jobs), encoding: 'utf8' });
  assert.equal(
    run.status,
    0,
    `python3 with jinja2 renders the templates (pip install jinja2): ${run.error ?? run.stderr}`,
  );
  return JSON.parse(run.stdout) as string[];
}

const docs = discoveryDocuments(
  { owner: 'alice', vehicleId: 'MYCAR', name: 'My car', vehicleType: 'NL', firmware: '3.3', vin: '' },
  'homeassistant',
  'test',
);

const tyres = (element: number): Case[] => {
  const sent = ['2.3', '2.4', '2.5', '2.6'];
  return [
    { vars: { value: sent.join(',') }, expected: sent[element]! },
    { vars: { value: sent.map((v, i) => (i === element ? '' : v)).join(',') }, expected: 'None' },
    { vars: { value: sent.map((v, i) => (i === element ? 'n/a' : v)).join(',') }, expected: 'None' },
    { vars: { value: sent.map((v, i) => (i === element ? 'nan' : v)).join(',') }, expected: 'None' },
    { vars: { value: sent.slice(0, element).join(',') }, expected: 'None' },
    { vars: { value: '-1.5,0,3e1,7' }, expected: ['-1.5', '0', '3e1', '7'][element]! },
  ];
};

/** Every template of the documents, by unique id suffix and field: what each input must render. */
const CASES: Record<string, Case[]> = {
  'tyre_front_left value_template': tyres(0),
  'tyre_front_right value_template': tyres(1),
  'tyre_rear_left value_template': tyres(2),
  'tyre_rear_right value_template': tyres(3),
  'charge_time_full value_template': [
    { vars: { value: '45' }, expected: '45' },
    { vars: { value: '0' }, expected: '0' },
    { vars: { value: '-1' }, expected: 'None' },
    { vars: { value: '' }, expected: 'None' },
  ],
  'last_command value_template': [
    { vars: { value_json: { text: 'Charge started', result: 0 } }, expected: 'Charge started' },
  ],
  'lock command_template': [
    { vars: { value: 'LOCK', code: '1234' }, expected: '{"action": "LOCK", "code": "1234"}' },
    { vars: { value: 'UNLOCK', code: null }, expected: '{"action": "UNLOCK", "code": ""}' },
  ],
};

test('every template in the discovery documents renders in Jinja2 as Home Assistant needs it', () => {
  const found: string[] = [];
  const jobs: { template: string; vars: Record<string, unknown>; name: string; expected: string }[] = [];
  for (const d of docs) {
    const key = String(d.payload.unique_id).replace('ovms_alice_MYCAR_', '');
    for (const [field, template] of Object.entries(d.payload)) {
      if (!field.endsWith('_template') || typeof template !== 'string') continue;
      const name = `${key} ${field}`;
      found.push(name);
      for (const c of CASES[name] ?? []) jobs.push({ template, vars: c.vars, name, expected: c.expected });
    }
  }
  assert.deepEqual(found.sort(), Object.keys(CASES).sort(), 'each template has its cases here');
  const rendered = renderWithJinja2(jobs);
  jobs.forEach((job, i) => {
    assert.equal(rendered[i], job.expected, `${job.name} with ${JSON.stringify(job.vars)}`);
  });
});
