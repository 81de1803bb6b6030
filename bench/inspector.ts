import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import WebSocket from 'ws';

/** Node's option that opens the inspector of a bench process on a free loopback port. */
export const INSPECT_ARG = '--inspect=127.0.0.1:0';

/**
 * A bench process's memory as seen from outside: a full garbage collection and `process.memoryUsage()`
 * through its inspector (no code in the process itself), and its resident set size from /proc.
 */
export interface MemoryProbe {
  /** Collects garbage, then reads resident set size and V8 heap in use, in bytes. */
  measure(): Promise<{ rss: number; heapUsed: number }>;
  close(): void;
}

/**
 * Reads the inspector's address from the stderr of a process started with INSPECT_ARG (stderr
 * piped); its other stderr lines go to ours.
 */
export function inspectorUrl(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let rest = '';
    let found = false;
    child.stderr!.on('data', (d: Buffer) => {
      const lines = (rest + d.toString()).split('\n');
      rest = lines.pop()!;
      for (const line of lines) {
        const m = /Debugger listening on (ws:\/\/\S+)/.exec(line);
        if (m && !found) {
          found = true;
          resolve(m[1]!);
        } else if (!/^(For help, see|Debugger attached|Debugger ending|Waiting for the debugger)/.test(line))
          process.stderr.write(`${line}\n`);
      }
    });
    child.once('exit', (code) => {
      if (!found) reject(new Error(`process exited with ${code} before its inspector opened`));
    });
  });
}

export async function memoryProbe(pid: number, url: string): Promise<MemoryProbe> {
  const ws = new WebSocket(url);
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  let next = 1;
  const waiting = new Map<number, (result: unknown) => void>();
  ws.on('message', (data: Buffer) => {
    const msg = JSON.parse(data.toString()) as { id?: number; result?: unknown };
    if (msg.id !== undefined) waiting.get(msg.id)?.(msg.result);
  });
  const call = (method: string, params: object = {}) =>
    new Promise<unknown>((resolve) => {
      const id = next++;
      waiting.set(id, resolve);
      ws.send(JSON.stringify({ id, method, params }));
    });
  const rss = () => {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) * 1024;
  };
  return {
    async measure() {
      // Twice: objects with finalizers (sockets' handles) are freed by the second.
      await call('HeapProfiler.collectGarbage');
      await call('HeapProfiler.collectGarbage');
      const result = (await call('Runtime.evaluate', {
        expression: 'process.memoryUsage().heapUsed',
        returnByValue: true,
      })) as { result: { value: number } };
      return { rss: rss(), heapUsed: result.result.value };
    },
    close: () => ws.close(),
  };
}
