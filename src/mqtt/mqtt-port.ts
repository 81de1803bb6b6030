/**
 * What the server's MQTT side (the v3 bridge, later the Home Assistant discovery) needs from a broker,
 * whether the broker is embedded in this process or an external one the server is a client of.
 * Topics are plain MQTT topics; filters may use `+` and `#`. Implementations: the embedded broker
 * (`mqtt.port`) and the external client (`mqtt.url`), both run through one conformance suite.
 */
export interface MqttPublishOptions {
  retain?: boolean;
  qos?: 0 | 1 | 2;
}

/**
 * Receives one message. A handler that must finish something before the message counts as
 * delivered (a history record stored) returns a promise: where the port can, it acknowledges a
 * QoS 1/2 message to the broker only once every handler's promise has settled.
 */
export type MqttHandler = (topic: string, payload: Buffer) => void | Promise<void>;

export interface MqttPort {
  /** Publishes as the server itself: never refused by the broker's access rules. */
  publish(topic: string, payload: Buffer | string, options?: MqttPublishOptions): Promise<void>;
  /**
   * Calls `handler` with every message published on a topic matching `filter`, by any client
   * (retained messages included when the subscription starts). Resolves once the subscription is
   * active; the returned function ends it.
   */
  subscribe(filter: string, handler: MqttHandler): Promise<() => Promise<void>>;
  close(): Promise<void>;
}
