import { readFileSync } from 'node:fs';

/**
 * CPU time used by a process (user + system), in ms, from /proc. On a shared machine throughput
 * moves with whatever else runs; the server's CPU time per unit of work does much less, so the
 * scenarios report both.
 */
export function processCpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may contain spaces) start after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14 and 15)
  return (ticks * 1000) / 100; // USER_HZ is 100 on Linux
}

/** Measures the CPU time of the server process and of this one over a stretch of work. */
export function cpuMeter(serverPid: number | undefined) {
  const server0 = serverPid ? processCpuMs(serverPid) : 0;
  const self0 = process.cpuUsage();
  return (units: number) => {
    const self = process.cpuUsage(self0);
    const serverMs = serverPid ? processCpuMs(serverPid) - server0 : Number.NaN;
    const round = (n: number) => Math.round(n * 10) / 10;
    return {
      /** Server CPU per unit of work, in µs: 1e6 / this is what one fully used core would do. */
      server: round((serverMs * 1000) / units),
      generator: round((self.user + self.system) / units),
    };
  };
}
