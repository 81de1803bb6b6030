import type { Message } from '../../protocol/messages/index.js';
import {
  type ConnectionFlags,
  closedByServer,
  parseClientType,
  usageError,
  withClient,
} from './connection.js';
import { decodeReceived } from './format.js';
import { formatSummary, snapshotFrom, summarize } from './status-summary.js';

export interface StatusFlags extends ConnectionFlags {
  type?: string;
  json?: boolean;
  wait: string;
}

/**
 * Logs in, collects the replayed stored messages until the server's `T` (which ends the replay,
 * WIRE.md §2.5), prints the summary. A server with nothing stored sends no `T`, so a quiet
 * period of `--wait` seconds also ends the collection.
 */
export async function runStatus(flags: StatusFlags): Promise<void> {
  const clientType = parseClientType(flags.type);
  const waitMs = Number(flags.wait) * 1000;
  if (!(waitMs > 0)) throw usageError(`--wait must be a positive number of seconds, got "${flags.wait}"`);
  const messages: Message[] = [];
  let onChange = () => {};
  const vehicleId = (flags.id ?? '').toUpperCase();
  const collected = await withClient(
    flags,
    clientType,
    (m) => {
      messages.push(decodeReceived(m.code, m.text));
      onChange();
    },
    (client) =>
      Promise.race([
        closedByServer(client),
        new Promise<Message[]>((resolve) => {
          let timer: NodeJS.Timeout | undefined;
          const check = () => {
            clearTimeout(timer);
            if (messages.some((m) => m.code === 'T')) return resolve(messages);
            timer = setTimeout(() => resolve(messages), waitMs);
          };
          onChange = check;
          check();
        }),
      ]),
  );
  const summary = summarize(snapshotFrom(vehicleId, collected));
  process.stdout.write(flags.json ? `${JSON.stringify(summary)}\n` : `${formatSummary(summary)}\n`);
}
