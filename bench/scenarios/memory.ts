import { spawn } from 'node:child_process';
import { startBenchServer } from '../server-process.js';

const ROOT = new URL('../../', import.meta.url).pathname;

function startWorker(port: number, first: number, count: number) {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'bench/idle-cars-worker.ts', String(port), String(first), String(count)],
    {
      cwd: ROOT,
      stdio: ['pipe', 'pipe', 'inherit'],
    },
  );
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      if (d.toString().startsWith('ready')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`idle-car worker exited with ${code}`)));
  });
  return { child, ready };
}

export async function settle(read: () => number): Promise<number> {
  // RSS moves for a while after a burst (GC, allocator); take it once it stops growing.
  let last = read();
  for (let i = 0; i < 20; i++) {
    await new Promise((r) => setTimeout(r, 500));
    const now = read();
    if (Math.abs(now - last) < 256 * 1024) return now;
    last = now;
  }
  return last;
}

/** Server RSS per idle car connection. */
export async function memoryScenario(cars = 19_900, workers = 2) {
  // Real cars come from many addresses; here all come from 127.0.0.1, so the per-address limit
  // (2,000 by default) is lifted for this scenario only.
  const server = await startBenchServer(cars, { OVMS_MAX_CONNECTIONS_PER_IP: String(cars + 100) });
  const per = Math.ceil(cars / workers);
  const started: ReturnType<typeof startWorker>[] = [];
  try {
    const baseline = await settle(server.rss);
    for (let w = 0; w < workers; w++)
      started.push(startWorker(server.port, w * per, Math.min(per, cars - w * per)));
    await Promise.all(started.map((s) => s.ready));
    const loaded = await settle(server.rss);
    return {
      cars,
      baselineMB: Math.round(baseline / 1048576),
      loadedMB: Math.round(loaded / 1048576),
      bytesPerConnection: Math.round((loaded - baseline) / cars),
    };
  } finally {
    for (const s of started) s.child.stdin.end();
    await Promise.all(
      started.map((s) => new Promise((r) => (s.child.exitCode !== null ? r(null) : s.child.once('exit', r)))),
    );
    await server.stop();
  }
}
