import type { ModuleBroker, ModuleSetup } from '../../src/cli/admin/module-setup';
/**
 * The module's shell commands for a new vehicle, protocol v2 and v3, as `ovms-server vehicle add`
 * prints them (src/cli/admin/module-setup.ts): the firmware's own parameter order
 * (`config set password server.v2 "…"`), secrets quoted as the module shell reads them.
 */

/** Where v3 modules connect (the server's `moduleBroker`, host '' meaning this page's host). */
export type BrokerSettings = ModuleBroker;

/** The CLI's set-up input, with the v2 TLS port 0 when the server has none. */
export type SetupInput = Omit<ModuleSetup, 'mqtt'> & { broker: BrokerSettings | undefined };

/** One command to paste, with what it is for when it is optional. */
export interface SetupLine {
  command: string;
  note?: string;
}

const MODULE_V2_PORT = 6867;
const MODULE_V2_TLS_PORT = 6870;

/** The module shell's quoting: "…", or '…' when the value holds a double quote; undefined with both. */
export function quoteForModule(value: string): string | undefined {
  if (!value.includes('"')) return `"${value}"`;
  if (!value.includes("'")) return `'${value}'`;
  return undefined;
}

function password(instance: string, secret: string): string {
  return `config set password ${instance} ${quoteForModule(secret) ?? '"<enter it on the module\'s web page>"'}`;
}

export function v2Setup(s: SetupInput): SetupLine[] {
  const lines: SetupLine[] = [
    { command: `config set vehicle id ${s.vehicleId}` },
    { command: `config set server.v2 server ${s.host}` },
  ];
  if (s.v2TlsPort) {
    lines.push({ command: 'config set server.v2 tls yes', note: 'encrypted (recommended)' });
    if (s.v2TlsPort !== MODULE_V2_TLS_PORT)
      lines.push({ command: `config set server.v2 port ${s.v2TlsPort}` });
  } else if (s.v2Port !== MODULE_V2_PORT) {
    lines.push({ command: `config set server.v2 port ${s.v2Port}` });
  }
  lines.push(
    { command: password('server.v2', s.secret) },
    { command: 'config set auto server.v2 yes', note: 'start it when the module starts' },
    { command: 'server v2 start' },
  );
  return lines;
}

export function v3Setup(s: SetupInput): SetupLine[] {
  const b = s.broker;
  if (!b) return [];
  const host = b.host || s.host;
  const useTls = b.tls || b.tlsPort !== undefined;
  const port = b.tlsPort ?? b.port;
  const prefix = `ovms/${s.owner}/${s.vehicleId}/`;
  const lines: SetupLine[] = [{ command: `config set vehicle id ${s.vehicleId}` }];
  lines.push({ command: `config set server.v3 server ${host}` });
  if (b.vehicleLogin) {
    lines.push(
      { command: `config set server.v3 user ${s.vehicleId}`, note: 'logs in as the vehicle' },
      { command: password('server.v3', s.secret) },
      { command: `config set server.v3 topic.prefix ${prefix}` },
    );
  } else {
    lines.push(
      { command: `config set server.v3 user ${s.owner}` },
      {
        command: 'config set password server.v3 "YOUR PASSWORD"',
        note: 'your account password, or a token with the mqtt right',
      },
      {
        command: `config set server.v3 topic.prefix ${prefix}`,
        note: `needed only if the module's vehicle id is not exactly ${s.vehicleId}`,
      },
    );
  }
  lines.push({ command: `config set server.v3 port ${port}` });
  if (useTls) lines.push({ command: 'config set server.v3 tls yes', note: 'encrypted' });
  lines.push(
    { command: 'config set auto server.v3 yes', note: 'start it when the module starts' },
    { command: 'server v3 start' },
  );
  return lines;
}
