import type { MqttPort } from '../mqtt/mqtt-port.js';
import {
  type CommandTranslation,
  commandTopic,
  configListReplies,
  configReplyLevels,
  configRequestPayload,
  replyFromShellOutputs,
  replyLine,
  requestConfigTopic,
  shellFailed,
} from '../protocol/v3/index.js';

/** Config reads (`request/config`) wait at most this long: firmware before 3.3.006 never answers. */
export const CONFIG_READ_TIMEOUT_MS = 10_000;

type Waiter = (payload: string | undefined) => void;

/**
 * Runs v2 commands on one v3 module (V3.md §6): publishes the shell lines of a translation on
 * `client/<cid>/command/<id>` one after another (QoS 0, never retained, so a module that is not
 * there does not run them later), waits for each `response/<id>`, and builds the `c` reply lines.
 * A module that does not answer within `timeoutMs` gets the command answered `c<n>,1,<why>`.
 */
export class ModuleCommands {
  /** Made on first use and dropped when empty: an idle module's car keeps none. */
  private responses: Map<string, Waiter> | undefined;
  private configs: Map<string, Waiter[]> | undefined;
  private next = 1;

  constructor(
    private readonly port: MqttPort,
    private readonly prefix: string,
    private readonly clientId: string,
    /** Distinguishes this process's command ids from another's (a restart, another node). */
    private readonly idTag: string,
    private readonly timeoutMs: number,
  ) {}

  /** A `client/<cid>/response/<id>` of ours arrived. */
  onResponse(commandId: string, output: string): void {
    const waiter = this.responses?.get(commandId);
    if (!waiter) return;
    this.forgetResponse(commandId);
    waiter(output);
  }

  /** A `client/<cid>/config/<levels>` of ours arrived. */
  onConfig(levels: readonly string[], value: string): void {
    const key = levels.join('/');
    const waiters = this.configs?.get(key);
    if (!waiters) return;
    this.setConfigWaiters(key, []);
    for (const w of waiters) w(value);
  }

  /** The module went away: whatever waits gives up now. */
  cancelAll(): void {
    const { responses, configs } = this;
    this.responses = undefined;
    this.configs = undefined;
    for (const w of responses?.values() ?? []) w(undefined);
    for (const ws of configs?.values() ?? []) for (const w of ws) w(undefined);
  }

  private forgetResponse(id: string): void {
    this.responses?.delete(id);
    if (this.responses?.size === 0) this.responses = undefined;
  }

  private setConfigWaiters(key: string, waiters: Waiter[]): void {
    if (waiters.length > 0) {
      this.configs ??= new Map();
      this.configs.set(key, waiters);
    } else {
      this.configs?.delete(key);
      if (this.configs?.size === 0) this.configs = undefined;
    }
  }

  /** The reply lines (`c…`, without the `MP-0 ` prefix) for a translated command. */
  async run(translation: CommandTranslation): Promise<string[]> {
    switch (translation.kind) {
      case 'server':
        return [];
      case 'reply':
      case 'unsupported':
        return [...translation.lines];
      case 'config-list': {
        const values = new Map<number, string>();
        await Promise.all(
          translation.entries.map(async (entry) => {
            if (!entry.config) return;
            const value = await this.readConfig(entry.config.param, entry.config.instance);
            if (value !== undefined) values.set(entry.key, value);
          }),
        );
        return configListReplies(translation, values);
      }
      case 'shell': {
        if (translation.reply === 'none') {
          await this.publishCommand(translation.lines[0]!);
          return [];
        }
        const outputs: string[] = [];
        for (const line of translation.lines) {
          const output = await this.shell(line);
          if (output === undefined) {
            const seconds = Math.round(this.timeoutMs / 1000);
            return [
              replyLine(translation.command, 1, [`no response from the vehicle module within ${seconds} s`]),
            ];
          }
          outputs.push(output);
          if (shellFailed(output)) break;
        }
        return replyFromShellOutputs(translation, outputs);
      }
    }
  }

  /** Reads one module config (`request/config`); `undefined` when the module does not answer. */
  readConfig(
    param: string,
    instance: string,
    timeoutMs = CONFIG_READ_TIMEOUT_MS,
  ): Promise<string | undefined> {
    const key = configReplyLevels(param, instance).join('/');
    const answer = this.wait(timeoutMs, (w) => {
      this.setConfigWaiters(key, [...(this.configs?.get(key) ?? []), w]);
      return () =>
        this.setConfigWaiters(
          key,
          (this.configs?.get(key) ?? []).filter((x) => x !== w),
        );
    });
    void this.port
      .publish(requestConfigTopic(this.prefix, this.clientId), configRequestPayload(param, instance))
      .catch(() => {});
    return answer;
  }

  private publishCommand(line: string, id = `${this.idTag}${this.next++}`): Promise<void> {
    return this.port.publish(commandTopic(this.prefix, this.clientId, id), line, { qos: 0 });
  }

  /** Runs one shell line; its whole output, or `undefined` after the timeout. */
  private async shell(line: string): Promise<string | undefined> {
    const id = `${this.idTag}${this.next++}`;
    // Waiting before publishing: the response cannot come before its waiter.
    const output = this.wait(this.timeoutMs, (w) => {
      this.responses ??= new Map();
      this.responses.set(id, w);
      return () => this.forgetResponse(id);
    });
    await this.publishCommand(line, id);
    return output;
  }

  private wait(timeoutMs: number, register: (w: Waiter) => () => void): Promise<string | undefined> {
    return new Promise((resolve) => {
      let unregister: () => void = () => {};
      const timer = setTimeout(() => {
        unregister();
        resolve(undefined);
      }, timeoutMs);
      unregister = register((payload) => {
        clearTimeout(timer);
        resolve(payload);
      });
    });
  }
}
