import { spawn } from 'node:child_process';
import { freePort } from '../hardening/server-process.js';

/**
 * `ovms-server` commands as their own processes (from the sources), without a secrets key or config
 * file from the environment of whoever runs the tests.
 */

const ROOT = new URL('../../', import.meta.url).pathname;
const CLI = ['--import', 'tsx', 'src/cli/ovms-server.ts'];
const CLEAN = { OVMS_SECRETS_KEY: '', OVMS_CONFIG: '' };

export type LogLine = Record<string, unknown> & { msg: string; level: number };

/** Runs one command to its end. */
export function runCli(
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...CLI, ...args], {
      cwd: ROOT,
      env: { ...process.env, ...CLEAN, ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

export interface StartedCli {
  /** The JSON log lines up to "protocol v2 listening" (or the exit). */
  lines: LogLine[];
  /** Set when it listens. */
  ports?: { v2: number; http: number };
  /** Set when it exited instead. */
  code?: number | null;
  stderr: string;
  /** The server's process, for signals. */
  pid: number;
}

/**
 * `ovms-server start` on `db` with free v2 and HTTP ports: resolves once it listens or exits.
 * Killed when the test ends.
 */
export async function startCli(
  t: { after(fn: () => void): void },
  db: string,
  env: NodeJS.ProcessEnv = {},
): Promise<StartedCli> {
  const [v2, http] = [await freePort(), await freePort()];
  const child = spawn(
    process.execPath,
    [...CLI, 'start', '--db', db, '--host', '127.0.0.1', '--port', String(v2), '--http-port', String(http)],
    {
      cwd: ROOT,
      env: {
        ...process.env,
        ...CLEAN,
        OVMS_TLS_PORT: '0',
        OVMS_HTTPS_PORT: '0',
        OVMS_MQTT_PORT: '0',
        ...env,
      },
    },
  );
  t.after(() => child.kill('SIGKILL'));
  const lines: LogLine[] = [];
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  return new Promise((resolve) => {
    let buffer = '';
    child.stdout.on('data', (chunk) => {
      buffer += chunk;
      const complete = buffer.split('\n');
      buffer = complete.pop() ?? '';
      for (const line of complete) lines.push(JSON.parse(line));
      if (lines.some((l) => l.msg === 'protocol v2 listening'))
        resolve({ lines, ports: { v2, http }, stderr, pid: child.pid! });
    });
    child.once('exit', (code) => resolve({ lines, code, stderr, pid: child.pid! }));
  });
}
