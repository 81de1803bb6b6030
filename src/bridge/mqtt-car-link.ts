import type { Link, LinkEvents } from '../server/link.js';

/** What the bridge does with what the hub sends a v3 car. */
export interface MqttCarLinkHandlers {
  /** One message the hub sends the car: its code and payload (plain, no `MP-0 ` prefix). */
  onSend(code: string, payload: Buffer): void;
  /** The hub ended the connection (duplicate login, idle, shutdown). */
  onEnd(): void;
}

/**
 * The Link of a v3 car attached by the bridge: lines from the hub go to `handlers.onSend` instead
 * of a socket; lines for the hub are fed through `events.onLine` by the bridge. Nothing is queued,
 * so the output limit never applies.
 */
export function mqttCarLink(label: string, events: LinkEvents, handlers: MqttCarLinkHandlers): Link {
  let ended = false;
  const end = () => {
    if (ended) return;
    ended = true;
    handlers.onEnd();
    // The hub expects the close after the call that ended the link, as a socket's comes.
    setImmediate(() => events.onClose());
  };
  return {
    transport: 'mqtt',
    remoteAddress: label,
    remotePort: 0,
    write(line) {
      if (ended) return;
      let end = line.length;
      while (end > 0 && (line[end - 1] === 0x0a || line[end - 1] === 0x0d)) end--;
      if (end === 0) return;
      handlers.onSend(String.fromCharCode(line[0]!), Buffer.from(line.subarray(1, end)));
    },
    queuedBytes: 0,
    whenDrained: () => Promise.resolve(),
    pause: () => {},
    resume: () => {},
    end,
    destroy: end,
  };
}
