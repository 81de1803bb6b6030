import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { createLogger } from '../../src/server/logger.js';
import { ThrottledWarning } from '../../src/server/throttled-warning.js';

function recorder() {
  const lines: Record<string, unknown>[] = [];
  const log = createLogger({
    level: 'info',
    destination: new Writable({
      write(chunk, _enc, cb) {
        for (const l of String(chunk).split('\n'))
          if (l) lines.push(JSON.parse(l) as Record<string, unknown>);
        cb();
      },
    }),
  });
  return { log, lines };
}

test('a throttled warning writes the first of a window and carries the count of the rest', () => {
  const { log, lines } = recorder();
  let now = 0;
  const w = new ThrottledWarning(log, 'refused', 60_000, 10_000, () => now);
  for (let i = 0; i < 100; i++) w.warn('1.2.3.4', { address: '1.2.3.4' });
  w.warn('5.6.7.8', { address: '5.6.7.8' });
  assert.deepEqual(
    lines.map((l) => [l.msg, l.address, l.suppressed]),
    [
      ['refused', '1.2.3.4', undefined],
      ['refused', '5.6.7.8', undefined],
    ],
  );
  // The next one after the window carries the count of the 99 not written.
  now = 60_000;
  w.warn('1.2.3.4', { address: '1.2.3.4' });
  assert.deepEqual([lines[2]!.msg, lines[2]!.suppressed], ['refused', 99]);
  // A streak that ends: its count is written by the sweep once its window is over.
  w.warn('1.2.3.4', { address: '1.2.3.4' });
  w.warn('1.2.3.4', { address: '1.2.3.4' });
  w.flush();
  assert.equal(lines.length, 3);
  now = 120_000;
  w.flush();
  assert.deepEqual(
    lines.slice(3).map((l) => [l.msg, l.address, l.suppressed]),
    [['refused (repeats)', '1.2.3.4', 2]],
  );
  // Forgotten: the next one is written at once, without a count.
  w.warn('1.2.3.4', { address: '1.2.3.4' });
  assert.deepEqual([lines[4]!.msg, lines[4]!.suppressed], ['refused', undefined]);
});

test('a throttled warning remembers at most maxKeys keys', () => {
  const { log, lines } = recorder();
  const w = new ThrottledWarning(log, 'refused', 60_000, 3, () => 0);
  for (let k = 0; k < 10; k++) {
    w.warn(`10.0.0.${k}`, { address: `10.0.0.${k}` });
    w.warn(`10.0.0.${k}`, { address: `10.0.0.${k}` });
  }
  assert.equal((w as unknown as { streaks: Map<string, unknown> }).streaks.size, 3);
  // Each key forgotten wrote its count as it went.
  assert.equal(lines.filter((l) => l.msg === 'refused (repeats)').length, 7);
});
