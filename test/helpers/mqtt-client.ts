import mqtt, { type IClientOptions, type MqttClient, type Packet } from 'mqtt';
import { testSecrets } from './log-secrets.js';

/** An MQTT 3.1.1 client as the OVMS module connects (no automatic reconnect), for tests. */
export function mqttOptions(extra: IClientOptions = {}): IClientOptions {
  if (typeof extra.password === 'string') testSecrets.literal(extra.password, 'password');
  return { protocolVersion: 4, reconnectPeriod: 0, connectTimeout: 5000, keepalive: 60, ...extra };
}

/** A client that starts connecting (await its `connect` event). */
export function mqttClient(url: string, extra: IClientOptions = {}): MqttClient {
  return mqtt.connect(url, mqttOptions(extra));
}

/** Connects; rejects with the CONNACK error (its `code` is the return code) when refused. */
export async function mqttConnect(url: string, extra: IClientOptions = {}): Promise<MqttClient> {
  const client = await mqtt.connectAsync(url, mqttOptions(extra), false);
  return client;
}

/** The CONNACK return code the broker answers (0 = accepted; the client is closed again). */
export async function connackCode(url: string, extra: IClientOptions = {}): Promise<number> {
  try {
    const client = await mqttConnect(url, extra);
    await client.endAsync(true);
    return 0;
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (typeof code === 'number') return code;
    throw err;
  }
}

/** The next message on `client` whose topic passes `match`. */
export function nextMessage(
  client: MqttClient,
  match: (topic: string) => boolean = () => true,
  timeoutMs = 5000,
): Promise<{ topic: string; payload: string; retain: boolean }> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      client.off('message', onMessage);
      reject(new Error('no MQTT message in time'));
    }, timeoutMs);
    const onMessage = (topic: string, payload: Buffer, packet: { retain?: boolean }) => {
      if (!match(topic)) return;
      clearTimeout(timer);
      client.off('message', onMessage);
      resolve({ topic, payload: payload.toString(), retain: packet.retain === true });
    };
    client.on('message', onMessage);
  });
}

/** Granted QoS per filter of one SUBSCRIBE (128 = refused). */
export function granted(client: MqttClient, filters: string[]): Promise<number[]> {
  return new Promise((resolve) => {
    const onPacket = (packet: Packet) => {
      if (packet.cmd !== 'suback') return;
      client.off('packetreceive', onPacket);
      resolve(packet.granted as number[]);
    };
    client.on('packetreceive', onPacket);
    client.subscribe(filters, { qos: 1 }, () => {});
  });
}
