import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { tokenFromBytes } from '../src/protocol/digest.js';
import { LineSplitter } from '../src/protocol/framing.js';
import { acceptClient, verifyClientDigest } from '../src/protocol/handshake.js';
import type { LineCodec } from '../src/protocol/line-codec.js';
import { parseClientWelcome } from '../src/protocol/welcome.js';
import { corkedWriter } from '../src/server/link.js';

/**
 * The yardstick of the `versus-bare` scenario: the least a protocol v2 server must do, built on the
 * project's pure protocol code. Scheme-0 handshake against an in-memory table of secrets, nothing
 * sent after the welcome reply, and every car line relayed to the vehicle's apps (decrypted with
 * the car's cipher, encrypted again for each app). No database, no limits, no replay, no logs.
 * Lines written in one event-loop turn leave in one system call, as the server's do; with the
 * third argument `uncorked`, each line is its own write (the simplest relay one would write).
 *
 * Args: port, vehicles (BENCH0..n-1, secret "bench-secret"), [uncorked]. Runs until SIGTERM.
 */
const [port, vehicles] = process.argv.slice(2, 4).map(Number) as [number, number];
const uncorked = process.argv[4] === 'uncorked';
const secrets = new Map<string, string>();
for (let i = 0; i < vehicles; i++) secrets.set(`BENCH${i}`, 'bench-secret');

interface Peer {
  codec: LineCodec;
  write(line: Buffer): void;
}
const apps = new Map<string, Set<Peer>>();

function onSocket(socket: net.Socket): void {
  socket.setNoDelay(true);
  socket.on('error', () => {});
  let onLine = (line: Buffer): void => {
    const w = parseClientWelcome(line.toString('utf8'));
    const secret = w.kind === 'login' && w.scheme === 0 ? secrets.get(w.vehicleId) : undefined;
    if (w.kind !== 'login' || w.scheme !== 0 || secret === undefined || !verifyClientDigest(secret, w)) {
      socket.destroy();
      return;
    }
    const accepted = acceptClient(secret, w.token, () => tokenFromBytes(randomBytes(22)));
    const write = uncorked ? (l: Buffer) => void socket.write(l) : corkedWriter(socket);
    const self: Peer = { codec: accepted.codec, write };
    write(Buffer.from(`${accepted.reply}\r\n`, 'latin1'));
    if (w.clientType === 'C') {
      onLine = (l) => {
        const decoded = self.codec.decode(l);
        if (!decoded.ok) return socket.destroy();
        const { code, payload } = decoded.message;
        for (const app of apps.get(w.vehicleId) ?? []) app.write(app.codec.encode(code, payload));
      };
    } else {
      const members = apps.get(w.vehicleId) ?? new Set<Peer>();
      apps.set(w.vehicleId, members);
      members.add(self);
      // An app's lines keep its cipher in step and go nowhere.
      onLine = (l) => {
        if (!self.codec.decode(l).ok) socket.destroy();
      };
      socket.once('close', () => members.delete(self));
    }
  };
  const splitter = new LineSplitter((line) => onLine(line));
  socket.on('data', (chunk: Buffer) => {
    if (splitter.push(chunk)) socket.destroy();
  });
  socket.once('close', () => splitter.stop());
}

const server = net.createServer(onSocket);
server.listen(port, '127.0.0.1');
process.on('SIGTERM', () => process.exit(0));
