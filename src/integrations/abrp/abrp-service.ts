import type { Logger } from 'pino';
import type { ServerConfig } from '../../config/config.js';
import type { ObservedCarMessage } from '../../server/car-message-observers.js';
import { type Hub, vehicleKey } from '../../server/hub.js';
import type { AbrpLink, VehicleRef } from '../../store/store.js';
import { sendTelemetry } from './abrp-client.js';
import { applyCarMessage, type CarState, TELEMETRY_CODES } from './car-state.js';
import { InFlightLimit } from './in-flight-limit.js';
import { VehicleLink } from './vehicle-link.js';

/** The virtual app a driving or charging linked car counts (see `abrp.count_as_app`). */
export const ABRP_APP_ID = 'abrp-telemetry';

/**
 * ABRP live telemetry for every vehicle with a stored token, whether or not anyone watches it. It
 * runs on every node but sends only from the node a car is connected to: it sees the car's messages
 * through the hub's car-message observers, which fire there and nowhere else. Off (nothing read,
 * nothing sent) while `abrp.api_key` is empty.
 *
 * Tokens come from the store: read in full at start and every `abrp.refresh_s` (one query per
 * node, whatever the number of vehicles), and at once when this node's HTTP API changes one.
 */
export class AbrpService {
  readonly #hub: Hub;
  readonly #config: ServerConfig['abrp'];
  readonly #log: Logger;
  readonly #links = new Map<string, VehicleLink>();
  /** Latest car state of linked vehicles only (bounded by the number of links). */
  readonly #cars = new Map<string, CarState>();
  readonly #limit: InFlightLimit;
  #unsubscribe: (() => void) | undefined;
  #refreshTimer: NodeJS.Timeout | undefined;
  #stopped = false;

  constructor(hub: Hub) {
    this.#hub = hub;
    this.#config = hub.config.abrp;
    this.#log = hub.log.child({ integration: 'abrp' });
    this.#limit = new InFlightLimit(this.#config.maxInFlight);
  }

  get enabled(): boolean {
    return this.#config.apiKey !== '';
  }

  async start(): Promise<void> {
    if (!this.enabled) return;
    this.#unsubscribe = this.#hub.carMessages.add((m) => this.#onCarMessage(m));
    await this.#refresh();
    this.#refreshTimer = setInterval(() => void this.#refresh(), this.#config.refreshMs);
    this.#refreshTimer.unref();
    this.#log.info({ links: this.#links.size, url: this.#config.url }, 'ABRP telemetry on');
  }

  stop(): void {
    this.#stopped = true;
    this.#unsubscribe?.();
    clearInterval(this.#refreshTimer);
    for (const link of this.#links.values()) link.close();
    this.#links.clear();
    this.#cars.clear();
  }

  /** The HTTP API stored or removed a token: take it up now rather than at the next refresh. */
  async linkChanged(ref: VehicleRef): Promise<void> {
    if (!this.enabled || this.#stopped) return;
    const link = await this.#hub.store.getAbrpLink(ref);
    if (link) this.#upsert(link);
    else this.#remove(vehicleKey({ ownerId: ref.ownerId, vehicleId: ref.vehicleId.toUpperCase() }));
  }

  async #refresh(): Promise<void> {
    let links: AbrpLink[];
    try {
      links = await this.#hub.store.listAbrpLinks();
    } catch (err) {
      this.#log.error({ err }, 'ABRP links not read; the previous ones stay in use');
      return;
    }
    if (this.#stopped) return;
    const seen = new Set<string>();
    for (const link of links) seen.add(this.#upsert(link));
    for (const key of [...this.#links.keys()]) if (!seen.has(key)) this.#remove(key);
  }

  #upsert(link: AbrpLink): string {
    const key = vehicleKey(link);
    const known = this.#links.get(key);
    if (known) known.update(link);
    else this.#links.set(key, this.#newLink(link));
    return key;
  }

  #remove(key: string): void {
    this.#links.get(key)?.close();
    this.#links.delete(key);
    this.#cars.delete(key);
  }

  #newLink(link: AbrpLink): VehicleLink {
    const c = this.#config;
    const ref = { ownerId: link.ownerId, vehicleId: link.vehicleId };
    const hub = this.#hub;
    const log = this.#log;
    return new VehicleLink(link, {
      timing: c,
      log,
      now: Date.now,
      send: (token, tlm) =>
        this.#limit.run(() =>
          sendTelemetry({ url: c.url, apiKey: c.apiKey, token, tlm, timeoutMs: c.timeoutMs }),
        ),
      recordStatus: (current, status) => hub.store.setAbrpStatus(ref, current.updatedAt, status),
      ...(c.countAsApp
        ? {
            holdApp: () =>
              void hub
                .addVirtualApp(ref, ABRP_APP_ID)
                .catch((err: Error) => log.error({ err }, 'ABRP app not counted')),
            releaseApp: () =>
              void hub
                .removeVirtualApp(ref, ABRP_APP_ID)
                .catch((err: Error) => log.error({ err }, 'ABRP app not released')),
          }
        : {}),
    });
  }

  #onCarMessage(m: ObservedCarMessage): void {
    if (!TELEMETRY_CODES.has(m.code)) return;
    const key = vehicleKey(m.ref);
    const link = this.#links.get(key);
    if (!link) return;
    const car = applyCarMessage(this.#cars.get(key), m.code, m.payload, m.time.getTime());
    if (!car) return;
    this.#cars.set(key, car);
    link.carReported(car);
  }
}
