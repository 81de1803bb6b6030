import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SendSchedule } from '../../src/cli/car/send-schedule.js';

const none = { statusAndEnvironment: false, extras: false, location: false, replies: [] };

test('S+D every 600 s with no apps, every 60 s (with L/Y/W) once Z is above 0', () => {
  const s = new SendSchedule({ idle: 600, connected: 60 }, 0);
  assert.deepEqual(s.due(599, 5, false), none);
  assert.deepEqual(s.due(600, 5, false), { ...none, statusAndEnvironment: true });
  assert.deepEqual(s.due(1100, 5, false), none);
  assert.equal(s.setPeers(1, 1100), true, 'Z rising asks for a full set');
  assert.deepEqual(s.due(1159, 5, false), none);
  assert.deepEqual(s.due(1160, 5, false), { ...none, statusAndEnvironment: true, extras: true });
  assert.equal(s.setPeers(1, 1161), false, 'the same Z again does not');
  assert.equal(s.setPeers(0, 1162), false);
  assert.deepEqual(
    s.due(1220, 5, false),
    { ...none, statusAndEnvironment: true },
    'the interval chosen while connected runs out',
  );
  assert.deepEqual(s.due(1819, 5, false), none);
  assert.deepEqual(s.due(1820, 5, false), { ...none, statusAndEnvironment: true });
});

test('changes go out at once only while apps watch; L streams while driving; follow-ups wait', () => {
  const s = new SendSchedule({ idle: 600, connected: 60 }, 0);
  s.markChanged();
  assert.deepEqual(s.due(1, 5, true), none, 'no apps: no immediate update, no streaming');
  s.setPeers(2, 1);
  s.fullSetSent(1);
  assert.deepEqual(s.due(2, 5, true), { ...none, location: true });
  assert.deepEqual(s.due(6, 5, true), none);
  assert.deepEqual(s.due(7, 5, true), { ...none, location: true });
  s.markChanged();
  s.addFollowUp(10, '41,0,balance');
  assert.deepEqual(s.due(8, 0, true), { ...none, statusAndEnvironment: true });
  assert.deepEqual(s.due(10, 0, false), { ...none, replies: ['41,0,balance'] });
  assert.deepEqual(s.due(11, 0, false), none);
  s.resetPeers();
  assert.equal(s.setPeers(2, 12), true, 'after a reboot the first Z counts as a rise');
});
