import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { freePort, killHard, spawnServer } from './server-process.js';

/**
 * A server out of file descriptors refuses every new connection, and Node says nothing about it
 * (libuv accepts and closes the waiting connections itself). Hardening II, item 2: it must be
 * logged. The real server runs as its own process under `ulimit -n 150` (its defaults otherwise),
 * and 250 sockets that never log in use up its descriptors.
 */
test('running out of file descriptors is logged, and so is the recovery', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ovms-fd-'));
  const port = await freePort();
  let out = '';
  const waiters: (() => void)[] = [];
  const child = await spawnServer(`sqlite:${join(dir, 'ovms.db')}`, port, {
    maxFiles: 150,
    logLevel: 'info',
    onStdout: (text) => {
      out += text;
      for (const w of waiters.splice(0)) w();
    },
  });
  const sockets: net.Socket[] = [];
  t.after(async () => {
    for (const s of sockets) s.destroy();
    await killHard(child);
    rmSync(dir, { recursive: true, force: true });
  });
  const logged = async (text: string, timeoutMs: number): Promise<string> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const line = out.split('\n').find((l) => l.includes(text));
      if (line) return line;
      if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}:\n${out}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no log line "${text}" within ${timeoutMs} ms:\n${out.slice(-2000)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 200));
        waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  };
  for (let i = 0; i < 250; i++) {
    const s = net.connect({ port, host: '127.0.0.1' });
    s.on('error', () => {});
    sockets.push(s);
  }
  // The connection sweep probes every 5 s (the default login timeout's quarter, capped at 5 s).
  const line = await logged('out of file descriptors', 15_000);
  assert.match(line, /"level":50/);
  assert.match(line, /"code":"EMFILE"/);
  for (const s of sockets) s.destroy();
  await logged('file descriptors available again', 15_000);
  // Logged once, not once per refused connection or per sweep.
  assert.equal(out.split('\n').filter((l) => l.includes('out of file descriptors')).length, 1);
});
