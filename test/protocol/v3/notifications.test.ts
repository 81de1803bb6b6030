import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeMessage } from '../../../src/protocol/messages/index.js';
import {
  historyFromDataNotification,
  pushFromNotification,
  ussdReplyFromNotification,
} from '../../../src/protocol/v3/index.js';

test('§7.1: alert and info texts are MP-encoded, error texts pass unchanged', () => {
  assert.equal(
    pushFromNotification('alert', 'charge.stopped', 'Charge stopped,\nSOC 80%'),
    'ACharge stopped;\rSOC 80%',
  );
  assert.equal(pushFromNotification('info', 'charge.stopped', 'a\r\nb,c'), 'Ia\rb;c');
  assert.equal(pushFromNotification('error', 'code', 'TR,24,0000002a'), 'ETR,24,0000002a');
  assert.equal(
    pushFromNotification('info', 'x', 'already;\rencoded'),
    'Ialready;\rencoded',
    'texts older firmware MP-encoded stay the same',
  );
  const push = decodeMessage(`P${pushFromNotification('error', 'code', 'TR,24,0000002a')}`);
  assert.equal(push.kind, 'push');
  if (push.kind === 'push')
    assert.deepEqual(push.error, { vehicleType: 'TR', errorCode: '24', data: '0000002a' });
});

test('free-text errors: as the firmware (PE) by default, or as alerts when asked; never a raw line break', () => {
  assert.equal(
    pushFromNotification('error', 'climate.control', 'Climate failed\nretry'),
    'EClimate failed\rretry',
  );
  assert.equal(
    pushFromNotification('error', 'climate.control', 'Climate failed, retry', {
      errorsWithoutCodeAsAlert: true,
    }),
    'AClimate failed; retry',
  );
  assert.equal(
    pushFromNotification('error', 'code', 'TR,24,1', { errorsWithoutCodeAsAlert: true }),
    'ETR,24,1',
  );
});

test('the USSD answer notification also gives the unsolicited c41 reply', () => {
  assert.equal(
    ussdReplyFromNotification('info', 'modem.received.ussd', 'USSD:\n\nBalance: 5,00 EUR\nValid until 1.9.'),
    'c41,0,Balance: 5;00 EUR\rValid until 1.9.',
  );
  assert.equal(ussdReplyFromNotification('info', 'charge.stopped', 'USSD:\n\nx'), undefined);
  assert.equal(ussdReplyFromNotification('alert', 'modem.received.ussd', 'USSD:\n\nx'), undefined);
});

test('§7.2: notify/data → a historical record with id, age, type, record number, lifetime and data', () => {
  const result = historyFromDataNotification('57', '-3', '*-LOG-Trip,0,31536000,12.3,45.6,a;b,c');
  assert.deepEqual(result, {
    ok: true,
    record: {
      code: 'h',
      kind: 'history-with-ack',
      ack: '57',
      timeDiff: -3,
      type: '*-LOG-Trip',
      recordNumber: 0,
      lifetime: 31536000,
      data: '12.3,45.6,a;b,c',
    },
  });
  const cut = historyFromDataNotification('1', '0', 'RT-BAT-C,2,86400,a,b\nsecond line');
  assert.ok(cut.ok);
  if (cut.ok) assert.equal(cut.record.data, 'a,b', 'cut at the first line break');
  const positive = historyFromDataNotification('2', '5', 'T,1,60,x');
  assert.ok(positive.ok);
  if (positive.ok) assert.equal(positive.record.timeDiff, -5);
});

test('garbled data notifications give a reason', () => {
  const reason = (id: string, age: string, payload: string) => {
    const result = historyFromDataNotification(id, age, payload);
    assert.equal(result.ok, false);
    return result.ok ? '' : result.reason;
  };
  assert.match(reason('57', 'old', 'T,1,60,x'), /age is not an integer/);
  assert.match(reason('x', '-3', 'T,1,60,x'), /ack is not an integer/);
  assert.match(reason('57', '-3', 'T,1'), /expected/);
  assert.match(reason('57', '-3', ',1,60,x'), /type is empty/);
  assert.match(reason('57', '-3', 'T,1,-60,x'), /lifetime/);
});
