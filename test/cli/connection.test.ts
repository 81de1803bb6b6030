import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type CliError, clientOptions, describeError, parseServer } from '../../src/cli/app/connection.js';
import { LoginRefusedError } from '../../src/client/ovms-client.js';

test('--server accepts host, host:port and [v6]:port; the default port follows --tls', () => {
  assert.deepEqual(parseServer('ovms.example', 6867), { host: 'ovms.example', port: 6867 });
  assert.deepEqual(parseServer('ovms.example:7000', 6867), { host: 'ovms.example', port: 7000 });
  assert.deepEqual(parseServer('[::1]:6870', 6867), { host: '::1', port: 6870 });
  assert.throws(
    () => parseServer('a:b:c', 6867),
    (e: CliError) => e.exitCode === 2 && /expected HOST:PORT/.test(e.message),
  );
  assert.throws(() => parseServer('host:70000', 6867), /invalid port/);
  const tls = clientOptions({ id: 'demo1', password: 's', tls: true, insecure: true }, 'A');
  assert.deepEqual(
    [tls.host, tls.port, tls.transport, tls.tls?.rejectUnauthorized],
    ['127.0.0.1', 6870, 'tls', false],
  );
  assert.equal(tls.tls?.servername, undefined, 'no SNI for an address');
  const ws = clientOptions({ server: 'h:1', id: 'x', password: 's', ws: true }, 'B');
  assert.deepEqual([ws.transport, ws.clientType, ws.tls], ['ws', 'B', undefined]);
  assert.equal(clientOptions({ id: 'x', password: 's', ws: true, tls: true }, 'C').transport, 'wss');
});

test('missing credentials are usage errors; failures read as one line', () => {
  assert.throws(
    () => clientOptions({ password: 's' }, 'A'),
    (e: CliError) => e.exitCode === 2 && e.message === 'missing --id VEHICLEID (or OVMS_VEHICLE)',
  );
  assert.throws(() => clientOptions({ id: 'x' }, 'A'), /missing --password SECRET \(or OVMS_PASSWORD\)/);
  assert.throws(
    () => clientOptions({ id: 'x', password: 's', tls: true, ca: '/nonexistent.pem' }, 'A'),
    /cannot read --ca/,
  );
  assert.equal(describeError(new LoginRefusedError()), 'login refused: unknown vehicle id or wrong password');
  const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
  assert.equal(describeError(refused, { host: 'h', port: 1 }), 'cannot connect to h:1: connection refused');
  const cert = Object.assign(new Error('self-signed certificate'), { code: 'DEPTH_ZERO_SELF_SIGNED_CERT' });
  assert.match(
    describeError(cert, { host: 'h', port: 6870 }),
    /^TLS certificate of h:6870 not accepted: self-signed certificate \(trust it with --ca FILE/,
  );
});
