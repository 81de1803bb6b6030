import {
  type CommandResponseMessage,
  decodeCommandResponse,
  isFinalResponseLine,
} from '../protocol/messages/command.js';

/** Every `c` line of one command's reply, in order. */
export interface CommandResponse {
  command: number;
  /** Result of the last line: 0 ok, 1 failed, 2 unsupported, 3 unimplemented. */
  result: number;
  lines: CommandResponseMessage[];
}

interface Pending {
  code: number;
  lines: CommandResponseMessage[];
  resolve(r: CommandResponse): void;
  reject(e: Error): void;
  timer: NodeJS.Timeout;
}

/** Commands that never get a `c` reply: 5 (reboot) makes a v3 car send an empty line and restart. */
const NO_REPLY = new Set([5]);

/**
 * Matches `c` replies to the commands this client sent: the oldest pending command with the same
 * number gets the reply, and a multi-line reply completes on its last line. Replies nobody waits for
 * (e.g. the asynchronous second `c41`) are left to the 'message' event.
 */
export class CommandQueue {
  private readonly pending: Pending[] = [];

  constructor(
    private readonly send: (code: string, payload: string) => boolean,
    private readonly defaultTimeoutMs: number,
  ) {}

  submit(code: number, params: string[], timeoutMs = this.defaultTimeoutMs): Promise<CommandResponse> {
    for (const p of params) {
      if (/[\r\n]/.test(p))
        return Promise.reject(new Error('command parameters must not contain line breaks'));
    }
    const payload = [String(code), ...params].join(',');
    if (NO_REPLY.has(code)) {
      return this.send('C', payload)
        ? Promise.resolve({ command: code, result: 0, lines: [] })
        : Promise.reject(new Error('not connected'));
    }
    return new Promise((resolve, reject) => {
      const entry: Pending = {
        code,
        lines: [],
        resolve,
        reject,
        timer: setTimeout(() => {
          this.remove(entry);
          reject(new Error(`command ${code} timed out after ${timeoutMs} ms`));
        }, timeoutMs),
      };
      this.pending.push(entry);
      if (!this.send('C', payload)) {
        this.remove(entry);
        reject(new Error('not connected'));
      }
    });
  }

  /** Called with the text of every received `c` message. Returns true when it was expected. */
  onResponse(text: string): boolean {
    const response = decodeCommandResponse(text);
    if (response.kind !== 'command-response') return false;
    const entry = this.pending.find((p) => p.code === response.command);
    if (!entry) return false;
    entry.lines.push(response);
    if (isFinalResponseLine(response)) {
      this.remove(entry);
      entry.resolve({ command: entry.code, result: response.result, lines: entry.lines });
    }
    return true;
  }

  failAll(error: Error): void {
    for (const entry of this.pending.splice(0)) {
      clearTimeout(entry.timer);
      entry.reject(error);
    }
  }

  private remove(entry: Pending): void {
    clearTimeout(entry.timer);
    const at = this.pending.indexOf(entry);
    if (at >= 0) this.pending.splice(at, 1);
  }
}
