import type { CommandResponse } from '../../client/command-queue.js';
import type { ReceivedMessage } from '../../client/ovms-client.js';
import { buildCommand } from '../../protocol/commands.js';
import { decodeCommandResponse } from '../../protocol/messages/index.js';
import { CliError, type ConnectionFlags, parseClientType, usageError, withClient } from './connection.js';
import { formatReply, replyJson } from './reply-format.js';

export interface CmdFlags extends ConnectionFlags {
  type?: string;
  json?: boolean;
  timeout: string;
}

/**
 * Sends one command and prints the reply. A failed or unsupported result exits 1 with the car's
 * text. For 41 (USSD) the car's later, unsolicited answer is awaited too.
 */
export async function runCmd(codeText: string, params: string[], flags: CmdFlags): Promise<void> {
  const clientType = parseClientType(flags.type);
  const code = Number(codeText);
  const timeoutMs = Number(flags.timeout) * 1000;
  if (!(timeoutMs > 0))
    throw usageError(`--timeout must be a positive number of seconds, got "${flags.timeout}"`);
  try {
    buildCommand(code, params);
  } catch (err) {
    throw usageError((err as Error).message);
  }
  const ussd: ReceivedMessage[] = [];
  let onUssd = () => {};
  const response = await withClient(
    flags,
    clientType,
    (m) => {
      if (m.code === 'c' && m.text.startsWith('41,')) {
        ussd.push(m);
        onUssd();
      }
    },
    async (client) => {
      let r: CommandResponse;
      try {
        r = await client.command(code, params, { timeoutMs });
      } catch (err) {
        throw new CliError(`no reply to command ${code}: ${(err as Error).message}`);
      }
      if (code !== 41 || r.result !== 0) return r;
      // The first c41 is the acceptance; wait (within the timeout) for the network's answer.
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, timeoutMs);
        onUssd = () => {
          if (ussd.length < 2) return;
          clearTimeout(timer);
          resolve();
        };
        onUssd();
      });
      const answer = ussd[1] && decodeCommandResponse(ussd[1].text);
      return answer?.kind === 'command-response' ? { ...r, lines: [...r.lines, answer] } : r;
    },
  );
  if (flags.json) {
    process.stdout.write(`${JSON.stringify(replyJson(code, response))}\n`);
    if (response.result !== 0) process.exitCode = 1;
    return;
  }
  const out = formatReply(code, response);
  if (!out.ok) throw new CliError(out.text);
  process.stdout.write(`${out.text}\n`);
}
