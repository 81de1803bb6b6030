import net from 'node:net';
import { Aedes } from 'aedes';

/**
 * A bare aedes broker (the package the server embeds, no bridge, no policy) in its own process, for
 * the `v3` scenario to compare against. Prints `ready <port>`; exits when stdin closes.
 */
const aedes = new Aedes();
await aedes.listen();
const server = net.createServer(aedes.handle);
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`ready ${(server.address() as net.AddressInfo).port}\n`);
});
process.stdin.resume();
process.stdin.on('end', () => {
  server.close();
  aedes.close(() => process.exit(0));
});
