import {
  type ConnectionFlags,
  closedByServer,
  parseClientType,
  usageError,
  withClient,
} from './connection.js';
import { decodeReceived, messageJson, messageLine } from './format.js';

export interface WatchFlags extends ConnectionFlags {
  type?: string;
  json?: boolean;
  count?: string;
}

/** Prints every message as it arrives until `--count` messages, SIGINT/SIGTERM or a server close. */
export async function runWatch(flags: WatchFlags): Promise<void> {
  const clientType = parseClientType(flags.type);
  const limit = flags.count === undefined ? Number.POSITIVE_INFINITY : Number(flags.count);
  if (!(limit > 0) || (Number.isFinite(limit) && !Number.isInteger(limit))) {
    throw usageError(`--count must be a positive integer, got "${flags.count}"`);
  }
  let printed = 0;
  let done = () => {};
  const finished = new Promise<void>((resolve) => {
    done = resolve;
  });
  const print = (code: string, text: string) => {
    if (printed >= limit) return;
    const m = decodeReceived(code, text);
    const time = new Date();
    const line = flags.json
      ? JSON.stringify({ time: time.toISOString(), ...messageJson(m) })
      : `${time.toTimeString().slice(0, 8)} ${messageLine(m)}`;
    process.stdout.write(`${line}\n`);
    printed++;
    if (printed >= limit) done();
  };
  process.once('SIGINT', done);
  process.once('SIGTERM', done);
  try {
    await withClient(
      flags,
      clientType,
      (m) => print(m.code, m.text),
      (client) => Promise.race([finished, closedByServer(client)]),
    );
  } finally {
    process.off('SIGINT', done);
    process.off('SIGTERM', done);
  }
}
