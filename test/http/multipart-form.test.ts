import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FormError, multipartBoundary, parseMultipartForm } from '../../src/http/multipart-form.js';
import { startServer } from '../helpers/harness.js';
import { Api, assertText } from './api-client.js';

const LIMITS = { maxFields: 32, maxFieldBytes: 8192 };
const B = '------------------------d74496d66958873e';

/** A body as `curl -F a=1 -F b=2` sends it. */
function curlForm(fields: [string, string][], boundary = B): Buffer {
  const parts = fields.map(
    ([n, v]) => `--${boundary}\r\nContent-Disposition: form-data; name="${n}"\r\n\r\n${v}\r\n`,
  );
  return Buffer.from(`${parts.join('')}--${boundary}--\r\n`);
}

function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof FormError, String(err));
    assert.equal(err.statusCode, 400);
    return err.reason;
  }
  assert.fail('not refused');
}

test('multipart: curl -F fields, file-name parts as text, a preamble, quoted boundary, UTF-8, last value wins', () => {
  assert.deepEqual(
    parseMultipartForm(
      curlForm([
        ['application', 'evcc'],
        ['permit', 'auth,session'],
      ]),
      B,
      LIMITS,
    ),
    { application: 'evcc', permit: 'auth,session' },
  );
  const requests = Buffer.from(
    'preamble\r\n--xyz\r\nContent-Disposition: form-data; name="purpose"; filename="purpose"\r\n' +
      'Content-Type: application/octet-stream\r\n\r\nget soc\r\n--xyz\r\n' +
      'Content-Disposition: form-data; name=empty\r\n\r\n\r\n--xyz\r\n' +
      'content-disposition: form-data; name="name\\"q"\r\n\r\nZoë, line\r\nbreak\r\n--xyz\r\n' +
      'Content-Disposition: form-data; name="purpose"\r\n\r\nsecond\r\n--xyz--  \r\nepilogue',
  );
  assert.deepEqual(
    parseMultipartForm(requests, multipartBoundary('multipart/form-data; boundary="xyz"'), LIMITS),
    {
      purpose: 'second',
      empty: '',
      'name"q': 'Zoë, line\r\nbreak',
    },
  );
  assert.equal(multipartBoundary(`multipart/form-data; charset=utf-8; boundary=${B}`), B);
  // A field named __proto__ is a plain own property, never the object's prototype.
  const proto = parseMultipartForm(curlForm([['__proto__', 'x']]), B, LIMITS);
  assert.equal(Object.getPrototypeOf(proto), Object.prototype);
  assert.equal(Object.getOwnPropertyDescriptor(proto, '__proto__')?.value, 'x');
});

test('multipart: malformed bodies and bodies over the limits are refused with a reason', () => {
  assert.equal(
    refusal(() => multipartBoundary('multipart/form-data')),
    'no valid boundary in the content type',
  );
  assert.equal(
    refusal(() => multipartBoundary(`multipart/form-data; boundary=${'x'.repeat(71)}`)),
    'no valid boundary in the content type',
  );
  assert.equal(
    refusal(() => parseMultipartForm(Buffer.from('a=1'), B, LIMITS)),
    'no part found',
  );
  const open = curlForm([['a', '1']]).subarray(0, -6 - B.length);
  assert.equal(
    refusal(() => parseMultipartForm(open, B, LIMITS)),
    'the body ends before its closing boundary',
  );
  const noName = Buffer.from(`--${B}\r\nContent-Disposition: form-data\r\n\r\nx\r\n--${B}--`);
  assert.equal(
    refusal(() => parseMultipartForm(noName, B, LIMITS)),
    'a part has no field name',
  );
  const noHeader = Buffer.from(`--${B}\r\n\r\nx\r\n--${B}--`);
  assert.equal(
    refusal(() => parseMultipartForm(noHeader, B, LIMITS)),
    'a part has no Content-Disposition',
  );
  const attachment = Buffer.from(`--${B}\r\nContent-Disposition: attachment; name="a"\r\n\r\nx\r\n--${B}--`);
  assert.equal(
    refusal(() => parseMultipartForm(attachment, B, LIMITS)),
    'a part is not form-data',
  );
  const binary = Buffer.concat([
    Buffer.from(`--${B}\r\nContent-Disposition: form-data; name="a"\r\n\r\n`),
    Buffer.from([0xff, 0xfe]),
    Buffer.from(`\r\n--${B}--`),
  ]);
  assert.equal(
    refusal(() => parseMultipartForm(binary, B, LIMITS)),
    'a field is not UTF-8 text',
  );
  const many = curlForm(Array.from({ length: 3 }, (_, i) => [`f${i}`, 'v'] as [string, string]));
  assert.equal(
    refusal(() => parseMultipartForm(many, B, { ...LIMITS, maxFields: 2 })),
    'more than 2 fields',
  );
  assert.equal(
    refusal(() => parseMultipartForm(curlForm([['a', 'x'.repeat(9)]]), B, { ...LIMITS, maxFieldBytes: 8 })),
    'a field is longer than 8 bytes',
  );
});

test('multipart over HTTP: POST /api/token and /mqapi/auth take it; a bad body is 400, logged once', async (t) => {
  // About the form limits, so the field count is set low here (http.form_max_fields 3).
  const h = await startServer(t, { settings: { 'http.form_max_fields': 3, 'mqtt.superuser': 'broker' } });
  const api = new Api(h);
  const send = (path: string, body: Buffer, type = `multipart/form-data; boundary=${B}`) =>
    fetch(api.url(path, api.credentials), { method: 'POST', headers: { 'content-type': type }, body });
  const made = await send(
    '/api/token',
    curlForm([
      ['application', 'cli'],
      ['permit', 'mqtt'],
    ]),
  );
  assert.equal(made.status, 201);
  const token = (await made.json()) as { token: string; application: string; permit: string };
  assert.deepEqual([token.application, token.permit], ['cli', 'mqtt']);
  const mq = (fields: [string, string][]) =>
    fetch(api.url('/mqapi/auth'), {
      method: 'POST',
      headers: { 'content-type': `multipart/form-data; boundary=${B}` },
      body: curlForm(fields),
    });
  assert.equal(
    (
      await mq([
        ['username', 'owner'],
        ['password', token.token],
      ])
    ).status,
    200,
  );
  assert.equal(
    (
      await mq([
        ['username', 'owner'],
        ['password', 'wrong'],
      ])
    ).status,
    403,
  );

  const many = curlForm(Array.from({ length: 4 }, (_, i) => [`f${i}`, 'v'] as [string, string]));
  const tooMany = await send('/api/token', many);
  assertText(
    { status: tooMany.status, text: await tooMany.text(), headers: tooMany.headers, json: undefined },
    400,
    'Bad request: multipart form: more than 3 fields',
  );
  const noBoundary = await send('/api/token', curlForm([['a', '1']]), 'multipart/form-data');
  assert.equal(noBoundary.status, 400);
  assert.equal(
    await noBoundary.text(),
    'Bad request: multipart form: no valid boundary in the content type\n',
  );
  assert.equal(h.logs.filter((l) => l.includes('multipart form refused')).length, 1, 'logged once a minute');
});
