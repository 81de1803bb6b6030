import type { FuzzRunReport } from './fuzz-run.js';

/**
 * What a fuzz run must show, shared by the short test and the long script: every line sent, no
 * stuck session, the well-behaved car and app served throughout, no handler error, nothing left
 * open, and memory back near its baseline. Returns the failed checks (none when the server passed).
 */
export function fuzzVerdict(r: FuzzRunReport, want: { lines: number }): string[] {
  const problems: string[] = [];
  const check = (ok: boolean, what: string) => {
    if (!ok) problems.push(what);
  };
  check(r.counts.lines >= want.lines, `only ${r.counts.lines} of ${want.lines} lines sent in time`);
  check(r.counts.stuck === 0, `${r.counts.stuck} sessions got no answer or close in time`);
  const p = r.probe;
  check(p.disconnects === 0, `the well-behaved car or app was disconnected ${p.disconnects} times`);
  check(p.errors.length === 0, `the well-behaved clients saw errors: ${p.errors.join('; ')}`);
  check(
    p.sent > 0 && p.received === p.sent && p.outOfOrder === 0,
    `probe: ${p.received}/${p.sent} S received, ${p.outOfOrder} out of order`,
  );
  check(p.commands > 0, 'probe: no command round trip completed');
  check(r.errors.length === 0, `error-level log lines: ${r.errors.slice(0, 5).join(' | ')}`);
  check(
    r.connectionsAfter === 2,
    `${r.connectionsAfter} connections open after the run (expected the probe's 2)`,
  );
  // The heap may keep a little more (JIT code, caches warmed by rare inputs), never a per-line amount.
  const grown = r.memory.afterHeapMB - r.memory.baselineHeapMB;
  check(grown < Math.max(8, r.memory.baselineHeapMB * 0.25), `heap grew by ${grown.toFixed(1)} MB`);
  for (const [type, n] of Object.entries(r.handles.after)) {
    const before = r.handles.before[type] ?? 0;
    check(n <= before, `${n - before} more ${type} handles than before the run`);
  }
  return problems;
}
