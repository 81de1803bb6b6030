import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeCommand } from '../../../src/protocol/messages/index.js';
import {
  type CommandTranslation,
  configListReplies,
  isServerSideCommand,
  replyFromShellOutputs,
  shellFailed,
  type TranslateOptions,
  translateCommand,
} from '../../../src/protocol/v3/index.js';

function translate(line: string, options?: TranslateOptions): CommandTranslation {
  const command = decodeCommand(line.slice(1));
  assert.equal(command.kind, 'command', line);
  if (command.kind !== 'command') throw new Error(line);
  return translateCommand(command, options);
}

function shellLines(line: string): readonly string[] {
  const translation = translate(line);
  assert.equal(translation.kind, 'shell', line);
  return translation.kind === 'shell' ? translation.lines : [];
}

/** Runs a command against canned shell outputs and returns the `c` lines. */
function run(line: string, ...outputs: string[]): string[] {
  const translation = translate(line);
  assert.equal(translation.kind, 'shell', line);
  if (translation.kind !== 'shell') return [];
  return replyFromShellOutputs(translation, outputs);
}

function immediate(line: string, options?: TranslateOptions): readonly string[] {
  const translation = translate(line, options);
  assert.ok(
    translation.kind === 'reply' || translation.kind === 'unsupported',
    `${line}: ${translation.kind}`,
  );
  return translation.kind === 'reply' || translation.kind === 'unsupported' ? translation.lines : [];
}

test('V3.md §6.3: the shell line for each command', () => {
  const table: [string, string[]][] = [
    ['C5', ['module reset']],
    ['C6', ['notify raise command info charge.stopped stat']],
    ['C7,metrics list v.b.soc', ['metrics list v.b.soc']],
    ['C7,echo a,b', ['echo a,b']],
    ['C10,0', ['charge mode standard']],
    ['C10,1', ['charge mode storage']],
    ['C10,3', ['charge mode range']],
    ['C10,4', ['charge mode performance']],
    ['C11', ['charge start']],
    ['C12', ['charge stop']],
    ['C15,16', ['charge current 16']],
    ['C16,3,13', ['charge mode range', 'charge current 13']],
    ['C17,1,79200', ['script eval "print(OvmsVehicle.SetChargeTimer(true,79200))"']],
    ['C17,0,0', ['script eval "print(OvmsVehicle.SetChargeTimer(false,0))"']],
    ['C18', ['wakeup']],
    ['C19', ['wakeup']],
    ['C20,1234', ['lock 1234']],
    ['C21,0042', ['valet 0042']],
    ['C22,1234', ['unlock 1234']],
    ['C23,1234', ['unvalet 1234']],
    ['C24,0', ['homelink 1']],
    ['C24,2', ['homelink 3']],
    ['C25', ['charge cooldown']],
    ['C26,1', ['climatecontrol on']],
    ['C26,2', ['climatecontrol on']],
    ['C26,0', ['climatecontrol off']],
    ['C41,*100#', ['cellular cmd AT+CUSD=1,"*100#",15']],
    ['C49,AT+CSQ', ['cellular cmd AT+CSQ']],
    ['C2,8,5', ['config set vehicle stream "5"']],
    ['C2,15,', ['config rm vehicle canwrite']],
    ['C4,5,my apn', ['config set modem apn "my apn"']],
    ['C4,1,pa"ss', ["config set password module 'pa\"ss'"]],
    ['C4,23,CET-1CEST,M3.5.0,M10.5.0/3', ['config set vehicle timezone "CET-1CEST,M3.5.0,M10.5.0/3"']],
  ];
  for (const [line, expected] of table) assert.deepEqual(shellLines(line), expected, line);
});

test('codes without a v3 equivalent answer c<n>,2; 30–32 stay with the server', () => {
  assert.deepEqual(immediate('C40,123,hi'), ['c40,2']);
  assert.deepEqual(immediate('C204'), ['c204,2']);
  assert.deepEqual(immediate('C9'), ['c9,2']);
  for (const code of [30, 31, 32]) {
    assert.deepEqual(translate(`C${code}`), { kind: 'server', command: code });
    assert.equal(isServerSideCommand(code), true);
  }
  assert.equal(isServerSideCommand(7), false);
  assert.deepEqual(immediate('C20,1234', { vehicleType: 'RT' }), ['c20,2'], 'the Twizy redefines 20–24');
  assert.deepEqual(shellLines('C20,1234'), ['lock 1234']);
});

test('bad parameters are answered at once and never reach the shell', () => {
  assert.deepEqual(immediate('C20'), ['c20,1']);
  assert.deepEqual(immediate('C22,12 34'), ['c22,1'], 'a space would add a shell argument');
  assert.deepEqual(immediate('C10,2'), ['c10,1'], 'mode 2 has no shell name');
  assert.deepEqual(immediate('C15,16A'), ['c15,1']);
  assert.deepEqual(immediate('C16,3'), ['c16,1']);
  assert.deepEqual(immediate('C24'), ['c24,1'], 'no button: the firmware passes -1, which the shell cannot');
  assert.deepEqual(immediate('C24,3'), ['c24,1']);
  assert.deepEqual(immediate('C26'), ['c26,1']);
  assert.deepEqual(immediate('C41,*100#" ; module reset'), ['c41,1,Invalid USSD code']);
  assert.deepEqual(immediate('C7,a\rmodule reset'), ['c7,1,Command contains a line break']);
  assert.deepEqual(immediate('C7,'), ['c7,1,Missing command']);
  assert.deepEqual(immediate(`C7,${'x'.repeat(801)}`), ['c7,1,Command longer than 800 characters']);
  assert.deepEqual(immediate('C2'), ['c2,1,Missing feature key']);
  assert.deepEqual(immediate('C2,3,1'), ['c2,1,Feature not supported by vehicle']);
  assert.deepEqual(immediate('C4,,x'), ['c4,1,Missing parameter key']);
  assert.deepEqual(immediate('C4,3,x'), ['c4,1,Parameter key not supported']);
  assert.deepEqual(immediate(`C4,5,a"b'c`), ['c4,1,Value contains both quote characters']);
  assert.deepEqual(immediate('C4,5,a\rmodule reset'), ['c4,1,Value contains a line break']);
  assert.deepEqual(immediate('C2,8,1\r\nmodule reset'), ['c2,1,Value contains a line break']);
});

test('§6.2: output → result; failure only when the first line is an error, usage or unknown command', () => {
  assert.equal(shellFailed('Vehicle locked'), false);
  assert.equal(shellFailed('Climate Control \non'), false);
  assert.equal(shellFailed(''), false);
  for (const output of [
    'Error: vehicle could not be locked',
    'ERROR: x',
    '\nError: No vehicle module selected',
    'Unrecognised command',
    'Subcommand required',
    'Usage: lock <pin>',
  ]) {
    assert.equal(shellFailed(output), true, output);
  }
  assert.equal(shellFailed('Charge has been started\nError: later line'), false);
  assert.deepEqual(run('C11', 'Charge has been started'), ['c11,0']);
  assert.deepEqual(run('C20,1234', 'Error: vehicle could not be locked'), ['c20,1']);
  assert.deepEqual(run('C26,1', 'Error: climate control functionality not available'), ['c26,1']);
});

test('replies per command kind', () => {
  assert.deepEqual(run('C5', 'Resetting system...'), [], 'no reply to a reboot');
  assert.deepEqual(run('C5'), []);
  assert.deepEqual(run('C6', 'anything'), ['c6,0']);
  assert.deepEqual(run('C7,boot status', 'Last boot was 42 seconds ago\nReason: power on, ok\n'), [
    'c7,0,Last boot was 42 seconds ago\rReason: power on; ok\r',
  ]);
  assert.deepEqual(run('C7,bogus', 'Unrecognised command'), ['c7,0,Unrecognised command'], 'C7 is always 0');
  assert.deepEqual(run('C16,3,13', "Charge mode 'range' set", 'Charge current limit set to 13A'), ['c16,0']);
  assert.deepEqual(run('C16,3,13', 'Error: Charge mode could not be set'), ['c16,1'], 'stopped after step 1');
  assert.deepEqual(run('C16,3,13', 'ok', 'Error: no'), ['c16,1']);
  assert.deepEqual(run('C17,1,79200', 'true\n'), ['c17,0']);
  assert.deepEqual(run('C17,1,79200', 'false\n'), ['c17,1']);
  assert.deepEqual(run('C2,8,5', 'Parameter has been set.'), ['c2,0,']);
  assert.deepEqual(run('C4,5,x', 'Error: Invalid parameter, "modem"\nmore'), [
    'c4,1,Error: Invalid parameter; "modem"',
  ]);
  assert.deepEqual(run('C41,*100#', 'OK'), ['c41,0']);
  assert.deepEqual(run('C41,*100#', 'ERROR'), ['c41,1,ERROR']);
  assert.deepEqual(run('C49,AT+CSQ', '+CSQ: 20,99\nOK\n'), ['c49,0,+CSQ: 20,99\rOK']);
  assert.deepEqual(run('C49,AT+X', '+CME ERROR: 4'), ['c49,1,+CME ERROR: 4']);
  assert.deepEqual(run('C49,AT+X', ''), ['c49,1,Timeout/no response']);
});

test('C1 and C3: 32 lines from config values read with request/config', () => {
  const features = translate('C1');
  assert.equal(features.kind, 'config-list');
  if (features.kind !== 'config-list') return;
  const configs = features.entries.flatMap((e) =>
    e.config ? [`${e.key}=${e.config.param}/${e.config.instance}`] : [],
  );
  assert.deepEqual(configs, [
    '8=vehicle/stream',
    '9=vehicle/minsoc',
    '14=vehicle/carbits',
    '15=vehicle/canwrite',
  ]);
  const lines = configListReplies(
    features,
    new Map([
      [8, '5'],
      [9, ''],
    ]),
  );
  assert.equal(lines.length, 32);
  assert.deepEqual(lines.slice(7, 10), ['c1,0,7,32,0', 'c1,0,8,32,5', 'c1,0,9,32,0']);

  const parameters = translate('C3');
  assert.equal(parameters.kind, 'config-list');
  if (parameters.kind !== 'config-list') return;
  const keys = parameters.entries.flatMap((e) => (e.config ? [e.key] : []));
  assert.deepEqual(keys, [0, 1, 2, 4, 5, 6, 7, 8, 9, 14, 22, 23]);
  assert.equal(parameters.entries[2]?.config?.instance, 'units.distance');
  const replies = configListReplies(parameters, new Map([[2, 'M']]));
  assert.deepEqual([replies[2], replies[3], replies[31]], ['c3,0,2,32,M', 'c3,0,3,32,', 'c3,0,31,32,']);
});
