import type { BusLine, VehicleEvent } from './bus.js';

/**
 * Vehicle events as JSON for buses that cross processes. Payloads are bytes, so they travel as
 * base64; everything else is plain JSON.
 */
type WireLine = { code: string; b64: string };

const toWire = (l: BusLine): WireLine => ({ code: l.code, b64: l.payload.toString('base64') });
const fromWire = (l: WireLine): BusLine => ({ code: l.code, payload: Buffer.from(l.b64, 'base64') });

export function serialiseEvent(event: VehicleEvent): string {
  switch (event.type) {
    case 'to-clients':
      return JSON.stringify({ ...event, lines: event.lines.map(toWire) });
    case 'to-car':
    case 'to-conn':
      return JSON.stringify({ ...event, line: toWire(event.line) });
    default:
      return JSON.stringify(event);
  }
}

export function parseEvent(message: Buffer | string): VehicleEvent {
  const raw = JSON.parse(message.toString()) as VehicleEvent & { lines?: WireLine[]; line?: WireLine };
  switch (raw.type) {
    case 'to-clients':
      return { type: 'to-clients', lines: (raw.lines as unknown as WireLine[]).map(fromWire) };
    case 'to-car': {
      const e: VehicleEvent = { type: 'to-car', line: fromWire(raw.line as unknown as WireLine) };
      if (raw.requester) e.requester = raw.requester;
      return e;
    }
    case 'to-conn':
      return { type: 'to-conn', target: raw.target, line: fromWire(raw.line as unknown as WireLine) };
    default:
      return raw;
  }
}
