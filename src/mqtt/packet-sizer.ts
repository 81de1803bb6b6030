/**
 * Follows the MQTT packet boundaries of a byte stream by the fixed headers alone (a type byte, then
 * the "remaining length" in 1-4 bytes of 7 bits each), so a packet larger than the limit is refused
 * as soon as its header says so, before the broker buffers it. Pure: bytes in, a verdict out.
 */
export class PacketSizer {
  /** Bytes of the current packet's body still to skip. */
  private remaining = 0;
  /** -1: expecting a type byte; 0-3: reading that many length bytes so far. */
  private lengthBytes = -1;
  private length = 0;
  private multiplier = 1;
  private failed: string | undefined;

  constructor(private readonly maxPacketSize: number) {}

  /** Takes the next chunk; the reason when the stream must be refused (then for good). */
  push(chunk: Uint8Array): string | undefined {
    if (this.failed) return this.failed;
    let i = 0;
    while (i < chunk.length) {
      if (this.remaining > 0) {
        const skip = Math.min(this.remaining, chunk.length - i);
        this.remaining -= skip;
        i += skip;
        continue;
      }
      const byte = chunk[i++]!;
      if (this.lengthBytes === -1) {
        this.lengthBytes = 0;
        this.length = 0;
        this.multiplier = 1;
        continue;
      }
      this.length += (byte & 0x7f) * this.multiplier;
      this.multiplier *= 128;
      this.lengthBytes++;
      if (byte & 0x80) {
        if (this.lengthBytes >= 4) return this.fail('malformed remaining length (more than 4 bytes)');
        continue;
      }
      // The whole packet: the type byte, the length bytes and the body.
      const size = 1 + this.lengthBytes + this.length;
      if (size > this.maxPacketSize)
        return this.fail(`packet of ${size} bytes, larger than mqtt.max_packet_size (${this.maxPacketSize})`);
      this.remaining = this.length;
      this.lengthBytes = -1;
    }
    return undefined;
  }

  private fail(reason: string): string {
    this.failed = reason;
    return reason;
  }
}
