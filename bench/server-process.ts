import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashPassword } from '../src/auth/passwords.js';
import { openStore } from '../src/store/open-store.js';
import { INSPECT_ARG, inspectorUrl } from './inspector.js';

const ROOT = new URL('../', import.meta.url).pathname;

export interface BenchServer {
  port: number;
  pid: number;
  dbUrl: string;
  /** The inspector's address, when started with `inspect` (see bench/inspector.ts). */
  inspectorUrl?: string;
  /** Resident set size of the server process, in bytes. */
  rss(): number;
  stop(): Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** Resolves once a started server accepts connections on `port` (polling: no output to wait on). */
export async function waitForPort(port: number, child: ChildProcess): Promise<void> {
  for (let i = 0; ; i++) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect({ port, host: '127.0.0.1' }, () => {
        s.destroy();
        resolve(true);
      });
      s.on('error', () => resolve(false));
    });
    if (ok) return;
    if (i > 600 || child.exitCode !== null) throw new Error('bench server did not start');
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Creates an owner and `count` vehicles BENCH0..n-1 with secret "bench-secret". */
export async function seed(dbUrl: string, count: number): Promise<void> {
  const store = await openStore(dbUrl);
  await store.migrate();
  const owner = await store.createOwner({
    name: 'bench',
    passwordHash: await hashPassword('bench-password'),
  });
  const vehicles = Array.from({ length: count }, (_, i) => ({
    ownerId: owner.id,
    vehicleId: `BENCH${i}`,
    secret: 'bench-secret',
  }));
  for (let i = 0; i < vehicles.length; i += 5000) await store.createVehicles(vehicles.slice(i, i + 5000));
  await store.close();
}

/**
 * Spawns `ovms-server start` on a free port (from dist/ when built; with `OVMS_BENCH_PROFILE=dir` it
 * writes a CPU profile there) and resolves once the port accepts connections. With `inspect`, its
 * inspector is opened (for a memory probe from outside, bench/inspector.ts).
 */
export async function spawnServer(
  dbUrl: string,
  extraArgs: string[],
  env: NodeJS.ProcessEnv = {},
  onLogLine?: (line: string) => void,
  inspect = false,
): Promise<{ child: ChildProcess; port: number; inspectorUrl?: string }> {
  const port = await freePort();
  const entry = existsSync(join(ROOT, 'dist/cli/ovms-server.js'))
    ? ['dist/cli/ovms-server.js']
    : ['--import', 'tsx', 'src/cli/ovms-server.ts'];
  const profile = process.env.OVMS_BENCH_PROFILE
    ? ['--cpu-prof', `--cpu-prof-dir=${process.env.OVMS_BENCH_PROFILE}`]
    : [];
  const args = ['start', '--db', dbUrl, '--host', '127.0.0.1', '--port', String(port), '--log-level', 'warn'];
  const inspectArgs = inspect ? [INSPECT_ARG] : [];
  const child = spawn(process.execPath, [...profile, ...inspectArgs, ...entry, ...args, ...extraArgs], {
    cwd: ROOT,
    env: {
      ...process.env,
      OVMS_TLS_PORT: '0',
      OVMS_HTTP_PORT: '0',
      OVMS_HTTPS_PORT: '0',
      OVMS_MQTT_PORT: '0',
      ...env,
    },
    stdio: ['ignore', onLogLine ? 'pipe' : 'inherit', inspect ? 'pipe' : 'inherit'],
  });
  const inspector = inspect ? inspectorUrl(child) : undefined;
  if (onLogLine) {
    let rest = '';
    child.stdout!.on('data', (d: Buffer) => {
      const lines = (rest + d.toString()).split('\n');
      rest = lines.pop()!;
      for (const line of lines) onLogLine(line);
    });
  }
  await waitForPort(port, child);
  return { child, port, ...(inspector ? { inspectorUrl: await inspector } : {}) };
}

/**
 * Starts the server as its own process with the default configuration (SQLite file), from the
 * compiled dist/ when present, so the load generator never shares a process or an event loop with it.
 * With `onLogLine`, the server's log lines (level warn and up) go there instead of to the terminal.
 */
export async function startBenchServer(
  vehicles: number,
  env: NodeJS.ProcessEnv = {},
  onLogLine?: (line: string) => void,
  inspect = false,
): Promise<BenchServer> {
  const dir = mkdtempSync(join(tmpdir(), 'ovms-bench-'));
  const dbUrl = `sqlite:${join(dir, 'ovms.db')}`;
  await seed(dbUrl, vehicles);
  const { child, port, inspectorUrl } = await spawnServer(dbUrl, [], env, onLogLine, inspect);
  const server = benchProcess(child, port, dbUrl, () => rmSync(dir, { recursive: true, force: true }));
  return inspectorUrl ? { ...server, inspectorUrl } : server;
}

/** Starts something that accepts the same logins as a server: a process of its own, on a free port. */
export type StartTarget = (vehicles: number) => Promise<BenchServer>;

/**
 * Starts bench/bare-relay.ts (the least a v2 server must do: handshake and relay, no database) with
 * vehicles BENCH0..n-1 of secret "bench-secret", like `seed`. `uncorked`: one write per line.
 */
export const startBareRelay: StartTarget = (vehicles) => bareRelay(vehicles, false);
export const startUncorkedBareRelay: StartTarget = (vehicles) => bareRelay(vehicles, true);

async function bareRelay(vehicles: number, uncorked: boolean): Promise<BenchServer> {
  const port = await freePort();
  const profile = process.env.OVMS_BENCH_PROFILE
    ? ['--cpu-prof', `--cpu-prof-dir=${process.env.OVMS_BENCH_PROFILE}`]
    : [];
  const child = spawn(
    process.execPath,
    [
      ...profile,
      '--import',
      'tsx',
      'bench/bare-relay.ts',
      String(port),
      String(vehicles),
      ...(uncorked ? ['uncorked'] : []),
    ],
    { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'] },
  );
  await waitForPort(port, child);
  return benchProcess(child, port, '', () => {});
}

function benchProcess(child: ChildProcess, port: number, dbUrl: string, cleanUp: () => void): BenchServer {
  const pid = child.pid!;
  return {
    port,
    pid,
    dbUrl,
    rss: () => {
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
      return kb * 1024;
    },
    stop: async () => {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
      cleanUp();
    },
  };
}
