/**
 * Welcome lines: the first line of a connection (WIRE.md §2.1, §2.6, §2.7) and the server's reply.
 * Parsing never throws; a line that is not a welcome gives `{ kind: 'invalid', reason }`.
 */

export type ClientType = 'C' | 'A' | 'B' | 'S';

export interface Scheme0Welcome {
  kind: 'login';
  scheme: 0;
  clientType: ClientType;
  token: string;
  /** The digest as sent: padded (24 chars) or unpadded (22 chars) base64. */
  digest: string;
  /** Upper-cased, as the reference server does before its lookup. */
  vehicleId: string;
  /** Anything after the vehicle id (iOS appends its car image path); ignored. */
  extra: string;
}

export interface Scheme1Welcome {
  kind: 'login';
  scheme: 1;
  clientType: ClientType;
  username: string;
  password: string;
  /** Upper-cased vehicle id, or '*' for the first vehicle of the account. */
  vehicleId: string;
}

export interface AutoProvisionRequest {
  kind: 'autoprovision';
  scheme: string;
  apkey: string;
}

export interface InvalidWelcome {
  kind: 'invalid';
  reason: string;
}

export type ClientWelcome = Scheme0Welcome | Scheme1Welcome | AutoProvisionRequest | InvalidWelcome;

const CLIENT_TYPES = new Set(['C', 'A', 'B', 'S']);

function fields(line: string): string[] {
  return line.trim().split(/\s+/);
}

export function parseClientWelcome(line: string): ClientWelcome {
  const parts = fields(line);
  const head = parts[0] ?? '';
  if (head === 'AP-C') {
    if (parts.length < 3) return { kind: 'invalid', reason: 'AP-C needs a scheme and a key' };
    return { kind: 'autoprovision', scheme: parts[1]!, apkey: parts[2]! };
  }
  const type = /^MP-(.)$/.exec(head)?.[1];
  if (type === undefined || !CLIENT_TYPES.has(type)) {
    return { kind: 'invalid', reason: 'not a welcome line (expected MP-C, MP-A, MP-B or MP-S)' };
  }
  const clientType = type as ClientType;
  if (parts.length < 5) return { kind: 'invalid', reason: 'welcome line has fewer than 5 fields' };
  const [, scheme, a, b, vid] = parts as [string, string, string, string, string];
  const vehicleId = vid.toUpperCase();
  if (scheme === '0') {
    const extra = parts.slice(5).join(' ');
    return { kind: 'login', scheme: 0, clientType, token: a, digest: b, vehicleId, extra };
  }
  if (scheme === '1') {
    return { kind: 'login', scheme: 1, clientType, username: a, password: b, vehicleId };
  }
  return { kind: 'invalid', reason: `unsupported protection scheme ${JSON.stringify(scheme)}` };
}

export function formatScheme0Welcome(w: {
  clientType: ClientType;
  token: string;
  digest: string;
  vehicleId: string;
}): string {
  return `MP-${w.clientType} 0 ${w.token} ${w.digest} ${w.vehicleId}`;
}

export function formatScheme1Welcome(w: {
  clientType: ClientType;
  username: string;
  password: string;
  vehicleId: string;
}): string {
  return `MP-${w.clientType} 1 ${w.username} ${w.password} ${w.vehicleId}`;
}

export function formatAutoProvisionRequest(apkey: string): string {
  return `AP-C 0 ${apkey}`;
}

// ---- server replies ----------------------------------------------------------------------------

/** `MP-S 0 <token> <padded digest>`: single spaces, no trailing blanks (WIRE.md §2.2 step 4). */
export function formatServerWelcome0(serverToken: string, serverDigest: string): string {
  return `MP-S 0 ${serverToken} ${serverDigest}`;
}

/** `MP-S 1 <username> <vehicleid> <every vehicle id of the account>` (WIRE.md §2.6). */
export function formatServerWelcome1(username: string, vehicleId: string, vehicleIds: string[]): string {
  return ['MP-S', '1', username, vehicleId, ...vehicleIds].join(' ');
}

export function formatAutoProvisionReply(token: string, digest: string, record: string): string {
  return `AP-S 0 ${token} ${digest} ${record}`;
}

export const AUTO_PROVISION_NONE = 'AP-X';

export type ServerWelcome =
  | { kind: 'welcome0'; token: string; digest: string }
  | { kind: 'welcome1'; username: string; vehicleId: string; vehicleIds: string[] }
  | { kind: 'autoprovision'; token: string; digest: string; record: string }
  | { kind: 'no-autoprovision' }
  | InvalidWelcome;

/**
 * Parses a server reply as a car does: for scheme 0 the literal prefix `MP-S 0 `, the token up to
 * the next space, and everything after that space is the digest to compare byte for byte.
 */
export function parseServerWelcome(line: string): ServerWelcome {
  if (line.startsWith('MP-S 0 ')) {
    const rest = line.slice(7);
    const space = rest.indexOf(' ');
    if (space <= 0) return { kind: 'invalid', reason: 'MP-S 0 reply without a digest' };
    return { kind: 'welcome0', token: rest.slice(0, space), digest: rest.slice(space + 1) };
  }
  if (line.startsWith('MP-S 1 ')) {
    const [username, vehicleId, ...vehicleIds] = line.slice(7).split(' ');
    if (!username || !vehicleId) return { kind: 'invalid', reason: 'MP-S 1 reply without user and vehicle' };
    return { kind: 'welcome1', username, vehicleId, vehicleIds };
  }
  if (line.trim() === AUTO_PROVISION_NONE) return { kind: 'no-autoprovision' };
  if (line.startsWith('AP-S ')) {
    const parts = fields(line);
    if (parts.length < 5) return { kind: 'invalid', reason: 'AP-S reply with fewer than 5 fields' };
    return { kind: 'autoprovision', token: parts[2]!, digest: parts[3]!, record: parts[4]! };
  }
  return { kind: 'invalid', reason: 'not a server welcome' };
}
