import type { Socket } from 'node:net';

/** Why a socket was refused: too many connections in all, or from its address. */
export type Refusal = 'total' | 'address';

/**
 * Counts open sockets, in all and per source address, and refuses a new one past either limit
 * (0 = no limit). An admitted socket is counted until it closes. The v2 ports and the HTTP ports
 * each have one.
 */
export class ConnectionLimit {
  /** Every admitted socket, until it closes. */
  readonly sockets = new Set<Socket>();
  private readonly perAddress = new Map<string, number>();

  constructor(private readonly limits: { total: number; perAddress: number }) {}

  /** Undefined when the socket is admitted (and counted), else why it is refused. */
  admit(socket: Socket, address: string): Refusal | undefined {
    const { total, perAddress } = this.limits;
    if (total > 0 && this.sockets.size >= total) return 'total';
    const count = this.perAddress.get(address) ?? 0;
    if (perAddress > 0 && count >= perAddress) return 'address';
    this.sockets.add(socket);
    this.perAddress.set(address, count + 1);
    socket.once('close', () => {
      this.sockets.delete(socket);
      const n = (this.perAddress.get(address) ?? 1) - 1;
      if (n > 0) this.perAddress.set(address, n);
      else this.perAddress.delete(address);
    });
    return undefined;
  }

  /** Open sockets from this address. */
  countOf(address: string): number {
    return this.perAddress.get(address) ?? 0;
  }
}
