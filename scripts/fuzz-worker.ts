import { emptyCounts, type FuzzTarget, fuzz } from './fuzz-session.js';

/**
 * A child process running fuzz sessions, so the fuzzer gets a core of its own while the server runs
 * in the parent. Reads its job from argv (JSON), sends its counts over IPC every second and when done.
 */
const { target, opts } = JSON.parse(process.argv[2]!) as {
  target: FuzzTarget;
  opts: { lines: number; parallel: number; seed: number; deadline: number };
};
const counts = emptyCounts();
const send = (done: boolean) => new Promise((r) => process.send!({ counts, done }, r));
const progress = setInterval(() => void send(false), 1000);
await fuzz(target, opts, counts);
clearInterval(progress);
await send(true);
process.disconnect();
