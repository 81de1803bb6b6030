import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ConfigError, loadConfig } from '../../src/config/config.js';

function file(t: { after(fn: () => void): void }, text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'ovms-conf-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'ovms.toml');
  writeFileSync(path, text);
  return path;
}

test('defaults need no configuration', () => {
  const c = loadConfig({ env: {} });
  assert.equal(c.port, 6867);
  assert.equal(c.tlsPort, 6870);
  assert.equal(c.httpPort, 6868);
  assert.equal(c.database.url, 'sqlite:./data/ovms.db');
  assert.deepEqual(c.timeouts, {
    login: 30_000,
    car: 960_000,
    app: 1_200_000,
    batch: 300_000,
    carPing: 900_000,
    command: 120_000,
  });
});

test('file, then environment, then command line', (t) => {
  const path = file(t, '[server]\nport = 7000\nhost = "127.0.0.1"\n[timeouts]\napp = 600\n');
  const c = loadConfig({
    file: path,
    env: { OVMS_PORT: '7100', OVMS_TIMEOUT_APP: '1.5' },
    overrides: { 'server.host': '::1' },
  });
  assert.equal(c.port, 7100);
  assert.equal(c.host, '::1');
  assert.equal(c.timeouts.app, 1500);
});

test('unknown keys, wrong types and bad combinations are clear errors', (t) => {
  assert.throws(
    () => loadConfig({ file: file(t, '[server]\nprot = 1\n'), env: {} }),
    /unknown setting "server.prot"/,
  );
  assert.throws(() => loadConfig({ file: file(t, 'port = 1\n'), env: {} }), /must be a \[section\]/);
  assert.throws(() => loadConfig({ file: file(t, '[server\n'), env: {} }), /not valid TOML/);
  assert.throws(
    () => loadConfig({ env: { OVMS_PORT: 'abc' } }),
    /server.port \(from environment OVMS_PORT\) must be a whole number/,
  );
  assert.throws(() => loadConfig({ env: { OVMS_PORT: '70000' } }), /port number/);
  assert.throws(() => loadConfig({ env: { OVMS_LOG_LEVEL: 'loud' } }), ConfigError);
  assert.throws(
    () => loadConfig({ env: { OVMS_TLS_CERT: '/x.pem' } }),
    /tls.cert and tls.key must be set together/,
  );
  assert.throws(() => loadConfig({ env: { OVMS_MAX_LINE: '1000' } }), /at least 16384/);
  assert.throws(() => loadConfig({ file: '/nonexistent/ovms.toml', env: {} }), /cannot read config file/);
});

test('metrics: off by default; metrics.listen is HOST:PORT or [IPv6]:PORT', () => {
  assert.deepEqual(loadConfig({ env: {} }).metrics, { enabled: false, listen: undefined });
  const on = loadConfig({ env: { OVMS_METRICS_ENABLED: 'true', OVMS_METRICS_LISTEN: '127.0.0.1:9464' } });
  assert.deepEqual(on.metrics, { enabled: true, listen: { host: '127.0.0.1', port: 9464 } });
  assert.deepEqual(loadConfig({ env: { OVMS_METRICS_LISTEN: '[::1]:9464' } }).metrics.listen, {
    host: '::1',
    port: 9464,
  });
  assert.deepEqual(loadConfig({ env: { OVMS_METRICS_LISTEN: 'metrics.internal:80' } }).metrics.listen, {
    host: 'metrics.internal',
    port: 80,
  });
  for (const bad of ['9464', ':9464', '127.0.0.1', '127.0.0.1:0', '127.0.0.1:70000', '::1:9464', 'a b:1'])
    assert.throws(
      () => loadConfig({ env: { OVMS_METRICS_LISTEN: bad } }),
      /metrics\.listen must be HOST:PORT \(e\.g\. 127\.0\.0\.1:9464 or \[::1\]:9464\)/,
      bad,
    );
});

test('Home Assistant: off by default; the discovery prefix must be topic levels, {owner} a whole level', () => {
  const defaults = loadConfig({ env: {} }).ha;
  assert.deepEqual(defaults, {
    discovery: false,
    discoveryPrefix: 'homeassistant',
    owners: [],
    refreshMs: 300_000,
  });
  const ha = loadConfig({
    env: {
      OVMS_HA_DISCOVERY: 'true',
      OVMS_HA_DISCOVERY_PREFIX: 'ovms/{owner}/homeassistant',
      OVMS_HA_OWNERS: 'alice, bob',
    },
  }).ha;
  assert.deepEqual(ha.owners, ['alice', 'bob']);
  assert.equal(ha.discoveryPrefix, 'ovms/{owner}/homeassistant');
  for (const bad of ['home/#', 'home/+/x', 'home//x', 'ovms/x{owner}', '/home'])
    assert.throws(() => loadConfig({ env: { OVMS_HA_DISCOVERY_PREFIX: bad } }), /ha.discovery_prefix/, bad);
});
