import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { startServer } from '../helpers/harness.js';
import { parsePrometheusText } from '../helpers/prometheus-text.js';

const root = new URL('../../', import.meta.url);
const read = (path: string) => readFileSync(new URL(path, root), 'utf8');

/** Metric names in a PromQL expression: ours and Node.js' (label names and functions are not). */
function metricNames(expr: string): string[] {
  return [...expr.matchAll(/\b(?:ovms|process|nodejs)_[a-z0-9_]+\b/g)].map((m) => m[0]);
}

/** Every sample name a scrape can have: the families and, for histograms, their suffixed series. */
async function scrapedNames(t: Parameters<typeof startServer>[0]): Promise<Set<string>> {
  const h = await startServer(t, { metrics: true });
  const text = await (await fetch(`http://127.0.0.1:${h.server.ports.metrics}/metrics`)).text();
  const names = new Set<string>();
  for (const [name, family] of parsePrometheusText(text)) {
    names.add(name);
    if (family.type === 'histogram') for (const s of ['_bucket', '_sum', '_count']) names.add(name + s);
  }
  return names;
}

interface Panel {
  id: number;
  type: string;
  title: string;
  gridPos: { h: number; w: number; x: number; y: number };
  targets?: { expr: string; refId: string }[];
}

test('docs/grafana-dashboard.json is a Grafana dashboard whose every query names metrics a scrape has', async (t) => {
  const dashboard = JSON.parse(read('docs/grafana-dashboard.json')) as {
    title: string;
    uid: string;
    schemaVersion: number;
    panels: Panel[];
    templating: { list: { name: string; type: string }[] };
  };
  assert.equal(typeof dashboard.title, 'string');
  assert.match(dashboard.uid, /^[a-z0-9-]{1,40}$/);
  assert.equal(typeof dashboard.schemaVersion, 'number');
  assert.deepEqual(
    dashboard.templating.list.map((v) => [v.name, v.type]),
    [
      ['datasource', 'datasource'],
      ['instance', 'query'],
    ],
  );
  const ids = dashboard.panels.map((p) => p.id);
  assert.equal(new Set(ids).size, ids.length, 'panel ids are unique');
  const names = await scrapedNames(t);
  const used = new Set<string>();
  for (const panel of dashboard.panels) {
    assert.ok(['row', 'stat', 'timeseries'].includes(panel.type), panel.title);
    assert.ok(panel.gridPos.x + panel.gridPos.w <= 24, `${panel.title} fits the 24 columns`);
    if (panel.type === 'row') continue;
    assert.ok(panel.targets && panel.targets.length > 0, `${panel.title} has queries`);
    for (const target of panel.targets!) {
      const found = metricNames(target.expr);
      assert.ok(found.length > 0, `${panel.title}: ${target.expr}`);
      for (const name of found) {
        assert.ok(names.has(name), `${panel.title}: ${name} is not in a scrape`);
        used.add(name);
      }
    }
  }
  // Every ovms_ metric appears on the dashboard.
  const ours = [...names].filter((n) => n.startsWith('ovms_') && !/_(bucket|sum|count)$/.test(n));
  const shown = (n: string) => [...used].some((u) => u === n || u.startsWith(`${n}_`));
  assert.deepEqual(
    ours.filter((n) => !shown(n) && n !== 'ovms_info'),
    [],
  );
});

test('docs/operations.md: the metric table lists exactly what a scrape has, and every alert rule names real metrics', async (t) => {
  const doc = read('docs/operations.md');
  const section = doc.slice(doc.indexOf('## Metrics (Prometheus)'), doc.indexOf('## Several nodes'));
  const names = await scrapedNames(t);
  const table = new Set([...section.matchAll(/^\| `(ovms_[a-z0-9_]+)` \|/gm)].map((m) => m[1]!));
  const ours = [...names].filter((n) => n.startsWith('ovms_') && !/_(bucket|sum|count)$/.test(n)).sort();
  assert.deepEqual([...table].sort(), ours);
  const rules = section.slice(section.indexOf('### What to alert on'));
  const exprs = [...rules.matchAll(/expr: (\|\n(?: {10}.*\n)+|.*)/g)].map((m) => m[1]!);
  assert.ok(exprs.length >= 10, 'the alert rules are found');
  for (const expr of exprs)
    for (const name of metricNames(expr)) assert.ok(names.has(name), `${name} in: ${expr.trim()}`);
});
