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
