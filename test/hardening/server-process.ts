import { type ChildProcess, spawn } from 'node:child_process';
import net from 'node:net';

const ROOT = new URL('../../', import.meta.url).pathname;

/** A free loopback port (closed again before use, so another process could take it: rare enough). */
/**
 * A port a spawned server can listen on: free now, and below Linux's ephemeral range (32768 and up),
 * so the outgoing connections that other tests open at the same time are never given it before the
 * server binds it. Random, so parallel test files rarely pick the same one; tried until one binds.
 */
export async function freePort(): Promise<number> {
  for (;;) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    const free = await new Promise<boolean>((resolve) => {
      const srv = net.createServer();
      srv.once('error', () => resolve(false));
      srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
    });
    if (free) return port;
  }
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ port, host: '127.0.0.1' }, () => {
      s.destroy();
      resolve(true);
    });
    s.on('error', () => resolve(false));
  });
}

/**
 * The real server as its own process (`ovms-server start`, from the sources), for tests that kill
 * it. Resolves once its v2 port accepts connections; throws if it exits or takes over 30 s. With
 * `maxFiles` it runs under that descriptor limit (`ulimit -n`); with `onStdout` its log lines (JSON,
 * at `logLevel`, warn by default) go there.
 */
export async function spawnServer(
  dbUrl: string,
  port: number,
  opts: { maxFiles?: number; onStdout?: (text: string) => void; logLevel?: string } = {},
): Promise<ChildProcess> {
  const limit = opts.maxFiles ? ['sh', '-c', `ulimit -n ${opts.maxFiles} && exec "$@"`, 'sh'] : [];
  const [command, ...prefix] = [...limit, process.execPath];
  const child = spawn(
    command!,
    [
      ...prefix,
      '--import',
      'tsx',
      'src/cli/ovms-server.ts',
      'start',
      '--db',
      dbUrl,
      '--host',
      '127.0.0.1',
      '--port',
      String(port),
      '--log-level',
      opts.logLevel ?? 'warn',
    ],
    {
      cwd: ROOT,
      env: {
        ...process.env,
        OVMS_TLS_PORT: '0',
        OVMS_HTTP_PORT: '0',
        OVMS_HTTPS_PORT: '0',
        OVMS_MQTT_PORT: '0',
      },
      stdio: ['ignore', opts.onStdout ? 'pipe' : 'ignore', 'inherit'],
    },
  );
  child.stdout?.on('data', (d: Buffer) => opts.onStdout?.(d.toString()));
  const deadline = Date.now() + 30_000;
  while (!(await accepts(port))) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error('server did not start within 30 s');
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return child;
}

/** Kills with SIGKILL (no shutdown code runs) and resolves when the process is gone. */
export function killHard(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGKILL');
  return gone;
}
