import { runFuzz } from './fuzz-run.js';
import { fuzzVerdict } from './fuzz-verdict.js';

/**
 * The long fuzz run: `node --import tsx scripts/fuzz.ts [--lines 1000000] [--seed N]
 * [--workers 1] [--parallel 24] [--minutes 20]`. A live server in this process, the fuzzer in
 * child processes, a well-behaved car and app throughout. Prints progress, then the report as
 * JSON, and exits 1 if the server failed any check (see fuzz-verdict.ts).
 */
const args = process.argv.slice(2);
const arg = (name: string, fallback: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const lines = arg('lines', 1_000_000);
const seed = arg('seed', Date.now() % 100_000);
let last = 0;
const report = await runFuzz({
  lines,
  seed,
  workers: arg('workers', 1),
  parallel: arg('parallel', 24),
  timeLimitMs: arg('minutes', 20) * 60_000,
  onProgress: (c) => {
    if (Date.now() - last < 5000) return;
    last = Date.now();
    process.stderr.write(
      `fuzz: ${c.lines} lines, ${c.sessions} sessions (${c.preLogin} pre-login, ${c.postLogin} logged in, ${c.trickle} trickled), ${c.stuck} stuck\n`,
    );
  },
});
process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
const problems = fuzzVerdict(report, { lines });
for (const p of problems) process.stderr.write(`fuzz: FAILED: ${p}\n`);
process.stderr.write(problems.length === 0 ? `fuzz: passed (seed ${seed})\n` : '');
process.exit(problems.length === 0 ? 0 : 1);
