import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  buildCommand,
  COMMANDS,
  commandSpec,
  MULTI_LINE_REPLY_LINES,
  replyShape,
} from '../../src/protocol/commands.js';
import { decodeMessage } from '../../src/protocol/messages/index.js';

test('the catalogue lists every command WIRE.md §4.2 names, once, in order', () => {
  const codes = COMMANDS.map((command) => command.code);
  assert.deepEqual(
    codes,
    [1, 2, 3, 4, 5, 6, 7, 10, 11, 12, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 30, 31, 32, 40, 41, 49],
  );
  assert.equal(commandSpec(26)?.name, 'climate control');
  assert.deepEqual(
    commandSpec(32)?.params.map((param) => param.name),
    ['type', 'since'],
  );
  assert.equal(commandSpec(204), undefined);
});

test('reply shapes', () => {
  assert.deepEqual([1, 3, 5, 30, 31, 32, 41, 7, 26, 204].map(replyShape), [
    'multi-line',
    'multi-line',
    'none',
    'server-answered',
    'server-answered',
    'server-answered',
    'async-follow-up',
    'single',
    'single',
    'single',
  ]);
  assert.equal(MULTI_LINE_REPLY_LINES, 32);
});

test('buildCommand: plain commands and parameters', () => {
  assert.equal(buildCommand(1), 'C1');
  assert.equal(buildCommand(7, ['server v2 status']), 'C7,server v2 status');
  assert.equal(buildCommand(7, ['metrics list v.b, v.c']), 'C7,metrics list v.b, v.c');
  assert.equal(buildCommand(15, [16]), 'C15,16');
  assert.equal(buildCommand(16, ['0', 32]), 'C16,0,32');
  assert.equal(buildCommand(2, [8, '1']), 'C2,8,1');
  assert.equal(buildCommand(20, ['0123']), 'C20,0123');
  assert.equal(buildCommand(22), 'C22');
  assert.equal(buildCommand(24, [-1]), 'C24,-1');
  assert.equal(buildCommand(26, [1]), 'C26,1');
  assert.equal(buildCommand(32, ['RT-BAT-C', '2026-01-01 00:00:00']), 'C32,RT-BAT-C,2026-01-01 00:00:00');
  assert.equal(buildCommand(40, ['+441234', 'hello, world']), 'C40,+441234,hello, world');
});

test('buildCommand: vehicle-specific and unknown codes are allowed', () => {
  assert.equal(buildCommand(204), 'C204');
  assert.equal(buildCommand(209, ['a', 'b,c']), 'C209,a,b,c');
  assert.equal(buildCommand(0), 'C0');
});

test('buildCommand: clear errors for bad codes and parameters', () => {
  const cases: [number, (string | number)[], RegExp][] = [
    [-1, [], /command code must be an integer 0\.\.65535/],
    [65536, [], /command code must be an integer/],
    [1.5, [], /command code must be an integer/],
    [7, ['status\r\nMP-0 C5'], /parameter 1 contains a line break/],
    [204, ['x\n'], /line break/],
    [15, [], /command 15 \(set charge current\) needs parameter 1 \(amps\)/],
    [15, ['sixteen'], /amps must be digits, got "sixteen"/],
    [15, [16.5], /parameter 1 is not an integer/],
    [15, [16, 2], /takes at most 1 parameter/],
    [1, ['x'], /takes at most 0 parameter/],
    [20, ['12a4'], /pin must be digits/],
    [26, [2], /on must be 0 or 1/],
    [17, [2, 0], /timermode must be 0 or 1/],
    [24, ['up'], /button must be an integer/],
    [32, [], /needs parameter 1 \(type\)/],
    [32, ['RT,BAT'], /type must be text without commas/],
    [2, [8], /needs parameter 2 \(value\)/],
    [7, [], /needs parameter 1 \(command\)/],
  ];
  for (const [code, params, message] of cases) {
    assert.throws(() => buildCommand(code, params), message, `${code} ${JSON.stringify(params)}`);
  }
});

test('built commands decode back to the same command and parameters', () => {
  const message = decodeMessage(buildCommand(16, [0, 32]));
  assert.equal(message.kind, 'command');
  if (message.kind !== 'command') return;
  assert.equal(message.command, 16);
  assert.deepEqual(message.params, ['0', '32']);
});
