import { readdirSync } from 'node:fs';

/**
 * Runs every server integration test (test/server/*.test.ts) again on another store back-end: the
 * harness reads OVMS_TEST_STORE when a test starts a server and gives it a fresh database there.
 * Node runs each test file in its own process, so the variable stays within this file's run.
 */
export async function runServerTestsOn(backend: 'postgres' | 'mysql'): Promise<void> {
  process.env.OVMS_TEST_STORE = backend;
  const dir = new URL('../server/', import.meta.url);
  for (const file of readdirSync(dir)
    .filter((f) => f.endsWith('.test.ts'))
    .sort()) {
    await import(new URL(file, dir).href);
  }
}
