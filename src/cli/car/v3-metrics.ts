import { decodeMessage } from '../../protocol/messages/index.js';
import { encodeMetric, metricsFromV2 } from '../../protocol/v3/index.js';
import {
  type CarIdentity,
  environmentPayload,
  firmwarePayload,
  locationPayload,
  statusPayload,
  tpmsPayload,
} from './vehicle-messages.js';
import type { VehicleModel } from './vehicle-model.js';

/**
 * The simulated car's state as v3 metrics (V3.md §3–§4): name → payload text in the metric's
 * native unit. Built from the very v2 messages the v2 simulator sends, read back through the
 * protocol's own inverse mapping (`metricsFromV2`), so a bridge that builds v2 messages from these
 * metrics shows the same car as the v2 simulator. Pure.
 */

/** The v2 messages the metrics come from; W is left out (Y carries the same tyres in full). */
const SOURCES: readonly ((model: VehicleModel, identity: CarIdentity) => string)[] = [
  (model) => `S${statusPayload(model)}`,
  (model) => `D${environmentPayload(model)}`,
  (model) => `L${locationPayload(model)}`,
  (model) => `Y${tpmsPayload(model)}`,
  (model, identity) => `F${firmwarePayload(model, identity)}`,
];

export function carMetrics(model: VehicleModel, identity: CarIdentity): Map<string, string> {
  const out = new Map<string, string>();
  // Later messages win where two carry a metric (L's speed and trip have a decimal D lacks).
  for (const source of SOURCES) {
    const { metrics } = metricsFromV2(decodeMessage(source(model, identity)), { units: 'K' });
    for (const [name, text] of metrics) out.set(name, text);
  }
  // A car that is not plugged in has no charge state in S; the firmware's metric says `stopped`.
  if (!out.has('v.c.state')) out.set('v.c.state', 'stopped');
  // F carries these MP-encoded (commas as `;`); the metrics hold the plain text.
  out.set('m.version', identity.firmware);
  out.set('m.hardware', identity.hardware);
  out.set('m.net.provider', identity.provider);
  out.set('m.net.mdm.mode', identity.modem);
  out.set('m.net.type', 'modem');
  out.set('m.time.utc', encodeMetric('m.time.utc', Math.floor(model.timeMs / 1000)));
  return out;
}
