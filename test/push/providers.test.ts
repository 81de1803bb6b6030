import assert from 'node:assert/strict';
import { generateKeyPairSync, verify } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createSecureServer } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { type TestContext, test } from 'node:test';
import { SMTPServer } from 'smtp-server';
import { ApnsChannel } from '../../src/push/channels/apns.js';
import { ExpoChannel } from '../../src/push/channels/expo.js';
import { FcmChannel } from '../../src/push/channels/fcm.js';
import { MailChannel } from '../../src/push/channels/mail.js';
import { makeTestCertificate } from '../helpers/tls-cert.js';
import { alert, dispatcher, pushStore, until, vehicleWith } from './helpers.js';

const TOKEN_OK = 'a'.repeat(64);
const TOKEN_GONE = 'b'.repeat(64);

function jwtParts(jwt: string) {
  const [h, c, s] = jwt.split('.');
  return {
    header: JSON.parse(Buffer.from(h ?? '', 'base64url').toString()),
    claims: JSON.parse(Buffer.from(c ?? '', 'base64url').toString()),
    input: `${h}.${c}`,
    signature: Buffer.from(s ?? '', 'base64url'),
  };
}

async function listen(t: TestContext, server: import('node:net').Server): Promise<number> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => new Promise<void>((r) => server.close(() => r())));
  return (server.address() as AddressInfo).port;
}

test('APNs (HTTP/2, token auth): headers, ES256 JWT, payload; 410 Unregistered removes the subscription', async (t) => {
  const tls = makeTestCertificate();
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const seen: { headers: Record<string, unknown>; body: string }[] = [];
  const apns = createSecureServer(
    { cert: readFileSync(tls.cert), key: readFileSync(tls.key) },
    (req, res) => {
      let body = '';
      req.on('data', (c) => {
        body += c;
      });
      req.on('end', () => {
        seen.push({ headers: { ...req.headers }, body });
        res.setHeader('apns-id', 'id-1');
        if (req.url === `/3/device/${TOKEN_GONE}`) {
          res.statusCode = 410;
          res.end(JSON.stringify({ reason: 'Unregistered', timestamp: Date.now() }));
        } else res.end();
      });
    },
  );
  await new Promise<void>((r) => apns.listen(0, '127.0.0.1', r));
  t.after(() => {
    apns.close();
  });
  const port = (apns.address() as AddressInfo).port;
  const { store } = await pushStore(t);
  const ref = await vehicleWith(store, [
    { appId: 'ios-ok', pushType: 'apns', key: TOKEN_OK },
    { appId: 'ios-gone', pushType: 'apns', key: TOKEN_GONE },
  ]);
  const channel = new ApnsChannel({
    url: `https://127.0.0.1:${port}`,
    sandboxUrl: `https://127.0.0.1:${port}`,
    topic: 'com.openvehicles.ovms',
    key: {
      pem: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
      keyId: 'KEY123',
      teamId: 'TEAM42',
    },
    ca: readFileSync(tls.cert, 'utf8'),
  });
  const { d, outcomes } = dispatcher(t, store, [channel]);
  await d.notify(alert(ref, 'A', 'Alarm sounding'));
  await until(() => outcomes.length === 2, 'two APNs outcomes');
  assert.deepEqual(outcomes.map((o) => [o.target.appId, o.result.status, o.action]).sort(), [
    ['ios-gone', 'dead', 'removed'],
    ['ios-ok', 'delivered', 'done'],
  ]);
  assert.deepEqual(
    (await store.listPushSubscriptions(ref)).map((s) => s.appId),
    ['ios-ok'],
  );
  const ok = seen.find((s) => s.headers[':path'] === `/3/device/${TOKEN_OK}`);
  assert.ok(ok);
  assert.equal(ok.headers['apns-topic'], 'com.openvehicles.ovms');
  assert.equal(ok.headers['apns-push-type'], 'alert');
  assert.deepEqual(JSON.parse(ok.body), {
    aps: { alert: 'CAR1\nAlarm sounding', badge: 0, sound: 'default' },
  });
  const jwt = jwtParts(String(ok.headers.authorization).replace(/^bearer /, ''));
  assert.deepEqual(jwt.header, { alg: 'ES256', typ: 'JWT', kid: 'KEY123' });
  assert.equal(jwt.claims.iss, 'TEAM42');
  assert.ok(
    verify('sha256', Buffer.from(jwt.input), { key: publicKey, dsaEncoding: 'ieee-p1363' }, jwt.signature),
  );
});

test('FCM HTTP v1: OAuth2 JWT grant, data message with collapse key; UNREGISTERED removes the subscription', async (t) => {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  let grants = 0;
  const sends: { auth: string; url: string; body: { message: Record<string, unknown> } }[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      res.setHeader('content-type', 'application/json');
      if (req.url === '/token') {
        const form = new URLSearchParams(body);
        assert.equal(form.get('grant_type'), 'urn:ietf:params:oauth:grant-type:jwt-bearer');
        const jwt = jwtParts(form.get('assertion') ?? '');
        assert.equal(jwt.header.alg, 'RS256');
        assert.equal(jwt.claims.iss, 'push@proj.iam.gserviceaccount.com');
        assert.equal(jwt.claims.scope, 'https://www.googleapis.com/auth/firebase.messaging');
        assert.ok(verify('sha256', Buffer.from(jwt.input), publicKey, jwt.signature));
        grants++;
        res.end(JSON.stringify({ access_token: 'ya29.test', expires_in: 3600, token_type: 'Bearer' }));
        return;
      }
      const parsed = JSON.parse(body);
      sends.push({ auth: String(req.headers.authorization), url: req.url ?? '', body: parsed });
      if (parsed.message.token === 'dead-token') {
        res.statusCode = 404;
        res.end(
          JSON.stringify({
            error: {
              code: 404,
              status: 'NOT_FOUND',
              message: 'Requested entity was not found.',
              details: [{ errorCode: 'UNREGISTERED' }],
            },
          }),
        );
      } else res.end(JSON.stringify({ name: 'projects/proj/messages/1' }));
    });
  });
  const port = await listen(t, server);
  const base = `http://127.0.0.1:${port}`;
  const { store } = await pushStore(t);
  const ref = await vehicleWith(store, [
    { appId: 'android-ok', pushType: 'gcm', key: 'good-token' },
    { appId: 'android-gone', pushType: 'gcm', key: 'dead-token' },
  ]);
  const account = {
    project_id: 'proj',
    client_email: 'push@proj.iam.gserviceaccount.com',
    private_key: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
    token_uri: `${base}/token`,
  };
  const { d, outcomes } = dispatcher(t, store, [new FcmChannel({ account, url: base, tokenUrl: '' })]);
  await d.notify(alert(ref, 'A', 'Charging stopped'));
  await until(() => outcomes.length === 2, 'two FCM outcomes');
  assert.equal(grants, 1, 'the access token is reused');
  assert.deepEqual(
    (await store.listPushSubscriptions(ref)).map((s) => s.appId),
    ['android-ok'],
  );
  const ok = sends.find((s) => s.body.message.token === 'good-token');
  assert.ok(ok);
  assert.equal(ok.url, '/v1/projects/proj/messages:send');
  assert.equal(ok.auth, 'Bearer ya29.test');
  assert.deepEqual(ok.body.message.data, {
    type: 'A',
    time: '2024-05-01 12:00:00',
    title: 'CAR1',
    message: 'Charging stopped',
  });
  assert.match(String((ok.body.message.android as { collapse_key: string }).collapse_key), /^[0-9a-f]{64}$/);
});

test('Expo: one batched request, tickets, and a DeviceNotRegistered receipt removes the subscription', async (t) => {
  const requests: { url: string; body: unknown }[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      const parsed = JSON.parse(body);
      requests.push({ url: req.url ?? '', body: parsed });
      res.setHeader('content-type', 'application/json');
      if (req.url === '/--/api/v2/push/send') {
        res.end(
          JSON.stringify({
            data: parsed.map((_: unknown, i: number) => ({ status: 'ok', id: `ticket-${i}` })),
          }),
        );
      } else {
        res.end(
          JSON.stringify({
            data: {
              'ticket-0': { status: 'ok' },
              'ticket-1': { status: 'error', message: 'gone', details: { error: 'DeviceNotRegistered' } },
            },
          }),
        );
      }
    });
  });
  const port = await listen(t, server);
  const { store } = await pushStore(t);
  const ref = await vehicleWith(store, [
    { appId: 'a1', pushType: 'expo', key: 'ExponentPushToken[one]' },
    { appId: 'a2', pushType: 'expo', key: 'ExponentPushToken[two]' },
  ]);
  const expo = new ExpoChannel({
    url: `http://127.0.0.1:${port}`,
    accessToken: 'expo-tok',
    receiptDelayMs: 50,
  });
  const { d, outcomes } = dispatcher(t, store, [expo]);
  await d.notify(alert(ref, 'I', 'Charge complete'));
  await until(() => outcomes.length === 2, 'two Expo tickets');
  assert.equal(requests.filter((r) => r.url.endsWith('/send')).length, 1, 'one batch');
  const batch = requests[0]?.body as {
    to: string;
    title: string;
    body: string;
    data: Record<string, unknown>;
  }[];
  assert.deepEqual(
    batch.map((m) => m.to),
    ['ExponentPushToken[one]', 'ExponentPushToken[two]'],
  );
  assert.equal(batch[0]?.title, 'Open Vehicles CAR1');
  assert.equal(batch[0]?.body, 'Charge complete');
  assert.deepEqual(batch[0]?.data, { vehicleid: 'CAR1', alerttype: 'I', sent: 1714564800 });
  await until(async () => (await store.listPushSubscriptions(ref)).length === 1, 'receipt check');
  assert.deepEqual(
    (await store.listPushSubscriptions(ref)).map((s) => s.appId),
    ['a1'],
  );
  assert.ok(requests.some((r) => r.url.endsWith('/getReceipts')));
});

test('mail over SMTP: subject, text and HTML reach a real SMTP receiver', async (t) => {
  const received: { from: string; to: string[]; data: string }[] = [];
  const smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    onData(stream, session, callback) {
      let data = '';
      stream.on('data', (c) => {
        data += c;
      });
      stream.on('end', () => {
        received.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          data,
        });
        callback();
      });
    },
  });
  const port = await listen(t, smtp.server);
  const { store } = await pushStore(t);
  const ref = await vehicleWith(store, [
    { appId: 'mail-1', pushType: 'mail', key: 'owner@example.org' },
    { appId: 'mail-off', pushType: 'mail', key: '-' },
  ]);
  const mail = new MailChannel({ smtpUrl: `smtp://127.0.0.1:${port}`, sender: 'ovms@example.net' });
  const { d, outcomes } = dispatcher(t, store, [mail]);
  await d.notify(alert(ref, 'E', 'TR,3,0'));
  await until(() => outcomes.length === 2, 'two mail outcomes');
  assert.equal(received.length, 1);
  const [msg] = received;
  assert.equal(msg?.from, 'ovms@example.net');
  assert.deepEqual(msg?.to, ['owner@example.org']);
  assert.match(msg?.data ?? '', /Subject: OVMS notification type E from CAR1/);
  assert.match(msg?.data ?? '', /text\/plain/);
  assert.match(msg?.data ?? '', /text\/html/);
  assert.match(msg?.data ?? '', /Vehicle Alert #3: Maintenance Service Required/);
  assert.equal((await store.listPushSubscriptions(ref)).length, 2, 'mail subscriptions are never removed');
});
