import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runFuzz } from '../../scripts/fuzz-run.js';
import { fuzzVerdict } from '../../scripts/fuzz-verdict.js';

/**
 * The short fuzz run of npm test (the long one is `node --import tsx scripts/fuzz.ts`): random and
 * mutated lines before and after login, truncated base64, wrong cipher, binary, huge lines and
 * byte-by-byte trickles against a live server, while a well-behaved car and app keep using it.
 */
test('a live server survives fuzzed input and keeps serving a well-behaved car and app', async () => {
  const lines = 15_000;
  const report = await runFuzz({ lines, parallel: 16, seed: 20261123, timeLimitMs: 90_000 });
  assert.deepEqual(fuzzVerdict(report, { lines }), [], JSON.stringify(report, null, 1));
  // Every state was reached, and the server closed every session whose line it could not read.
  const c = report.counts;
  assert.ok(c.preLogin > 100 && c.postLogin > 100 && c.trickle > 10 && c.silent > 0, JSON.stringify(c));
  assert.ok(c.closedOnFatal > 100, JSON.stringify(c));
});
