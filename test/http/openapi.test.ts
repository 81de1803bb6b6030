import assert from 'node:assert/strict';
import https from 'node:https';
import { test } from 'node:test';
import { startServer } from '../helpers/harness.js';
import { makeTestCertificate } from '../helpers/tls-cert.js';
import { Api, assertJson } from './api-client.js';

/** Every route of the API, as "METHOD path" (OpenAPI path syntax). */
const ROUTES = [
  'GET /api/cookie',
  'POST /api/cookie',
  'DELETE /api/cookie',
  'GET /api/token',
  'POST /api/token',
  'DELETE /api/token',
  'DELETE /api/token/{token}',
  'GET /api/vehicles',
  'GET /api/vehicle/{vehicleId}',
  'DELETE /api/vehicle/{vehicleId}',
  'GET /api/protocol/{vehicleId}',
  'GET /api/status/{vehicleId}',
  'GET /api/charge/{vehicleId}',
  'PUT /api/charge/{vehicleId}',
  'DELETE /api/charge/{vehicleId}',
  'GET /api/location/{vehicleId}',
  'GET /api/tpms/{vehicleId}',
  'GET /api/historical/{vehicleId}',
  'GET /api/historical/{vehicleId}/{type}',
  'GET /api/lock/{vehicleId}',
  'PUT /api/lock/{vehicleId}',
  'DELETE /api/lock/{vehicleId}',
  'GET /api/valet/{vehicleId}',
  'PUT /api/valet/{vehicleId}',
  'DELETE /api/valet/{vehicleId}',
  'GET /api/features/{vehicleId}',
  'PUT /api/features/{vehicleId}',
  'GET /api/parameters/{vehicleId}',
  'PUT /api/parameters/{vehicleId}',
  'PUT /api/reset/{vehicleId}',
  'PUT /api/homelink/{vehicleId}',
  'POST /api/command/{vehicleId}',
  'GET /api/stream/{vehicleId}',
  'POST /mqapi/auth',
  'POST /mqapi/superuser',
  'POST /mqapi/acl',
  'GET /api/openapi.json',
  'GET /api/docs',
  'GET /health',
  'GET /api/account',
  'PUT /api/account/password',
  'POST /api/vehicles',
  'GET /api/push/{vehicleId}',
  'DELETE /api/push/{vehicleId}/{appId}',
  'GET /api/admin/overview',
  'GET /api/vehicle/{vehicleId}/abrp',
  'PUT /api/vehicle/{vehicleId}/abrp',
  'DELETE /api/vehicle/{vehicleId}/abrp',
  'GET /api/trips/{vehicleId}',
  'GET /api/trips/{vehicleId}/{periodId}',
  'GET /api/charges/{vehicleId}',
  'GET /api/charges/{vehicleId}/{periodId}',
  'GET /api/parks/{vehicleId}',
  'GET /api/series/{vehicleId}',
  'GET /api/stats/{vehicleId}',
  'GET /api/export/{vehicleId}',
  'GET /api/recording/{vehicleId}',
  'PUT /api/recording/{vehicleId}',
  'GET /api/places',
  'PUT /api/places',
  'DELETE /api/places/{placeId}',
];

type Operation = {
  parameters: { name: string; in: string; schema: unknown }[];
  requestBody?: { content: Record<string, { schema: unknown }> };
  responses: Record<string, { content: Record<string, { schema: { type?: string } }> }>;
  security: unknown[];
};

test('GET /api/openapi.json: an OpenAPI 3.1 document with every route, each with request and response schemas', async (t) => {
  const h = await startServer(t);
  const api = new Api(h);
  const doc = assertJson(await api.call('GET', '/api/openapi.json'), 200) as {
    openapi: string;
    paths: Record<string, Record<string, Operation>>;
  };
  assert.equal(doc.openapi, '3.1.0');
  const listed = Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`),
  );
  assert.deepEqual([...listed].sort(), [...ROUTES].sort());
  for (const [path, ops] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(ops)) {
      const where = `${method} ${path}`;
      const success = Object.keys(op.responses).filter((c) => c.startsWith('2'));
      if (where !== 'delete /api/token') assert.ok(success.length > 0, `${where}: a success response`);
      for (const [code, r] of Object.entries(op.responses)) {
        const media = Object.values(r.content);
        assert.equal(media.length, 1, `${where} ${code}: one media type`);
        assert.ok(media[0]?.schema.type, `${where} ${code}: a schema`);
      }
      for (const name of path.match(/\{(\w+)\}/g) ?? []) {
        const p = op.parameters.find((x) => `{${x.name}}` === name);
        assert.ok(p && p.in === 'path' && p.schema, `${where}: path parameter ${name}`);
      }
      // Every /api route takes credentials, except the login that takes them in its body.
      const login = where === 'post /api/cookie';
      if (path.startsWith('/api/') && !path.startsWith('/api/openapi') && path !== '/api/docs' && !login) {
        assert.ok(
          op.parameters.some((p) => p.name === 'password' && p.in === 'query'),
          `${where}: credentials`,
        );
        assert.ok(op.security.length > 0, `${where}: security`);
        assert.ok(op.responses['401'], `${where}: 401 documented`);
      }
      if (['put', 'post'].includes(method) && !path.includes('reset') && !path.includes('cookie'))
        assert.ok(op.requestBody?.content['application/json'], `${where}: a request body schema`);
    }
  }
  assert.equal(ROUTES.length, 61);
});

test('GET /api/docs: a self-contained HTML reference of every route', async (t) => {
  const h = await startServer(t);
  const res = await new Api(h).call('GET', '/api/docs');
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /^text\/html/);
  for (const route of ROUTES) assert.ok(res.text.includes(route.split(' ')[1]!), route);
  assert.ok(!/<script|<link|src="http/i.test(res.text), 'no scripts and nothing loaded from the network');
});

test('HTTPS on its own port with the TLS certificate; the cookie is Secure there', async (t) => {
  const cert = makeTestCertificate();
  const h = await startServer(t, { tls: { cert: cert.cert, key: cert.key } });
  assert.ok(h.httpsPort > 0);
  const res = await new Promise<{ status: number; cookie: string; body: string }>((resolve, reject) => {
    https
      .get(
        `https://127.0.0.1:${h.httpsPort}/api/cookie?username=owner&password=owner-password`,
        { ca: cert.pem, servername: 'localhost' },
        (r) => {
          let body = '';
          r.on('data', (c: Buffer) => {
            body += c.toString();
          });
          r.on('end', () =>
            resolve({ status: r.statusCode ?? 0, cookie: String(r.headers['set-cookie'] ?? ''), body }),
          );
        },
      )
      .on('error', reject);
  });
  assert.equal(res.status, 200);
  assert.equal(res.body, 'Login ok\n');
  assert.match(res.cookie, /; Secure/);
  // The session works on the plain port too: both listeners share the sessions.
  const cookie = /ovmsapisession=[^;]+/.exec(res.cookie)![0];
  assert.equal((await new Api(h).call('GET', '/api/vehicles', { cookie })).status, 200);
});
