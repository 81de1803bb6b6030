import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatAlert } from '../../src/push/format.js';
import { expandErrorAlert, loadVece, parseVece } from '../../src/push/vece.js';

const vece = loadVece();

test('E alerts are expanded with the shipped tables, with prefix fallback and printf data', () => {
  assert.equal(expandErrorAlert(vece, 'TR,3,0'), 'Vehicle Alert #3: Maintenance Service Required');
  assert.equal(expandErrorAlert(vece, 'TR1,3,0'), 'Vehicle Alert #3: Maintenance Service Required');
  assert.equal(
    expandErrorAlert(vece, 'TR,25,42'),
    'Vehicle Alert #25: Memory Stick transfer in progress (42%)',
  );
  assert.equal(expandErrorAlert(vece, 'NL,7,255'), 'Vehicle Alert Code: NL/7 (000000ff)');
  const own = parseVece('[T]\n7=Tire pressure low (%d kPa)\n');
  assert.equal(expandErrorAlert(own, 'TR1,7,180'), 'Vehicle Alert #7: Tire pressure low (180 kPa)');
});

test('debug (DMC) alerts are suppressed unless configured otherwise', () => {
  const base = {
    ownerId: 1,
    ownerName: 'a',
    vehicleId: 'V',
    type: 'E',
    text: 'TR,1144,0',
    time: new Date(0),
  };
  assert.equal(formatAlert(base, { vece, suppressDebug: true }), undefined);
  assert.equal(
    formatAlert(base, { vece, suppressDebug: false })?.text,
    'Vehicle Alert #1144: DMC: Powertrain Problem Service Required',
  );
  assert.equal(
    formatAlert({ ...base, type: 'A', text: 'Charging stopped' }, { vece, suppressDebug: true })?.text,
    'Charging stopped',
  );
});
