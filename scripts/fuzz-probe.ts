import { OvmsClient, type ReceivedMessage } from '../src/client/ovms-client.js';

/**
 * A well-behaved car and app that keep using the server while it is fuzzed: the car sends a
 * numbered S every `everyMs`, the app checks each arrives in order, and sends a command the car
 * answers. The report says whether the server kept serving them throughout.
 */
export interface ProbeReport {
  sent: number;
  received: number;
  outOfOrder: number;
  maxLatencyMs: number;
  commands: number;
  maxCommandMs: number;
  disconnects: number;
  errors: string[];
}

export async function startProbe(opts: {
  host: string;
  port: number;
  vehicleId: string;
  secret: string;
  everyMs?: number;
}): Promise<{ stop(): Promise<ProbeReport> }> {
  const make = (clientType: 'C' | 'A') =>
    new OvmsClient({ ...opts, clientType, loginTimeoutMs: 10_000, commandTimeoutMs: 10_000 });
  const car = make('C');
  const app = make('A');
  const report: ProbeReport = {
    sent: 0,
    received: 0,
    outOfOrder: 0,
    maxLatencyMs: 0,
    commands: 0,
    maxCommandMs: 0,
    disconnects: 0,
    errors: [],
  };
  for (const c of [car, app]) {
    c.on('error', (err: Error) => report.errors.push(err.message));
    c.on('disconnect', () => report.disconnects++);
  }
  await car.connect();
  await app.connect();
  const sentAt: number[] = [];
  car.on('message', (m: ReceivedMessage) => {
    if (m.code === 'C') car.send('c', `${m.text.split(',')[0]},0,probe`);
  });
  app.on('message', (m: ReceivedMessage) => {
    if (m.code !== 'S' || !m.text.startsWith('probe,')) return;
    const seq = Number(m.text.slice(6));
    if (seq !== report.received) report.outOfOrder++;
    report.received = seq + 1;
    report.maxLatencyMs = Math.max(report.maxLatencyMs, performance.now() - sentAt[seq]!);
  });
  const timer = setInterval(() => {
    sentAt[report.sent] = performance.now();
    car.send('S', `probe,${report.sent++}`);
  }, opts.everyMs ?? 20);
  let running = true;
  const commands = (async () => {
    while (running) {
      const t0 = performance.now();
      try {
        await app.command(7, ['probe']);
        report.commands++;
        report.maxCommandMs = Math.max(report.maxCommandMs, performance.now() - t0);
      } catch (err) {
        report.errors.push(`command: ${(err as Error).message}`);
        return;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  return {
    async stop() {
      clearInterval(timer);
      running = false;
      await commands;
      // The last S may still be on its way: wait for it, but not for ever.
      const deadline = Date.now() + 5000;
      while (report.received < report.sent && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 10));
      // Closing counts as a disconnect too: take the report first.
      const final = { ...report, errors: [...report.errors] };
      await Promise.all([car.close(), app.close()]);
      return final;
    },
  };
}
