import { BUSY_TEXT } from '../src/server/command-router.js';
import { login, onCode } from './clients.js';

/**
 * A child process playing an app that floods its car with commands (`C7,flood`) for a number of
 * seconds, as fast as the server takes them. Every command over the server's cap that the server
 * reads is answered busy at once, so the replies pace the flood: at most WINDOW commands are
 * unanswered on the wire, which keeps this process's own buffers small. The server paces the reading
 * of a connection whose commands keep being refused (limits.refused_commands_per_second), so
 * `unanswered` counts the commands it never read as well as the ones the car holds. Args: port,
 * vehicle id, seconds. Prints one JSON line.
 */
const WINDOW = 5000;
const [portText, vehicleId, secondsText] = process.argv.slice(2) as [string, string, string];
const app = await login(Number(portText), 'A', vehicleId);
let busy = 0;
let other = 0;
const wake: (() => void)[] = [];
onCode(app, 'c', (m) => {
  if (m.text.endsWith(BUSY_TEXT)) busy++;
  else other++;
  for (const w of wake.splice(0)) w();
});
let disconnected = false;
app.on('disconnect', () => {
  disconnected = true;
  for (const w of wake.splice(0)) w();
});

const start = performance.now();
const end = start + Number(secondsText) * 1000;
let sent = 0;
while (performance.now() < end && !disconnected) {
  // Commands that are neither answered nor refused: the ones the car holds (up to the cap).
  while (sent - busy - other < WINDOW && performance.now() < end) {
    for (let i = 0; i < 200; i++) app.send('C', '7,flood');
    sent += 200;
  }
  await new Promise<void>((resolve) => {
    wake.push(resolve);
    setTimeout(resolve, 50);
  });
}
const seconds = (performance.now() - start) / 1000;
// The last busy replies are still on their way: wait for them briefly.
const settleUntil = performance.now() + 3000;
while (performance.now() < settleUntil && sent - busy - other > 1000 && !disconnected)
  await new Promise((r) => setTimeout(r, 50));
process.stdout.write(
  `${JSON.stringify({
    sent,
    busyReplies: busy,
    otherReplies: other,
    unanswered: sent - busy - other,
    linesPerSecond: Math.round(sent / seconds),
    disconnected,
  })}\n`,
);
await app.close().catch(() => {});
process.exit(0);
