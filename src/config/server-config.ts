/**
 * The server's settings as the code reads them, by section: what `loadConfig` builds from the
 * settings table (settings.ts) and the TOML file, environment and flags.
 */
export interface ServerConfig {
  host: string;
  port: number;
  tlsPort: number;
  httpPort: number;
  httpsPort: number;
  nodeId: string;
  allowPlainScheme1: boolean;
  tls: { cert: string; key: string; expiryWarningDays: number };
  /** url '' = in-process bus; leaseMs and relayCommitWaitMs in milliseconds. */
  bus: { url: string; prefix: string; leaseMs: number; relayCommitWaitMs: number };
  database: { url: string; migrate: boolean };
  secretsKey: string;
  log: { level: string; pretty: boolean };
  /** All in milliseconds. */
  timeouts: {
    login: number;
    car: number;
    app: number;
    batch: number;
    carPing: number;
    /** A command awaiting the car's reply is forgotten after this long (0 = never). */
    command: number;
  };
  limits: {
    maxLineLength: number;
    maxConnections: number;
    maxConnectionsPerIp: number;
    outputBuffer: number;
    authFailures: number;
    /** Milliseconds. */
    authFailureWindow: number;
    maxPendingCommandsPerApp: number;
    maxPendingCommandsPerCar: number;
    /** Refused commands per connection and second before its reading is paused (0 = never). */
    refusedCommandsPerSecond: number;
    refusedCommandsBurst: number;
    maxGroupsPerConnection: number;
    maxGroupNameLength: number;
    warningsPerConnection: number;
    /** Per owner account, from any address (src/auth/account-throttle.ts); durations in milliseconds. */
    account: { failures: number; delayMax: number; window: number };
  };
  history: {
    /** Milliseconds; 0 = off. */
    logMessages: number;
    utilisationDays: number;
    purgeInterval: number;
    purgeBatch: number;
    utilisationFlush: number;
    /** Per-vehicle quota and write rate of H/h records (0 = no limit); alert interval in milliseconds. */
    quotaRows: number;
    quotaBytes: number;
    ratePerMinute: number;
    rateBurst: number;
    refusalAlertInterval: number;
    /** Trips, charges and the sampled series (src/recording); sample intervals in milliseconds. */
    recording: boolean;
    sampleInterval: number;
    idleSampleInterval: number;
    keepDays: number;
  };
  /** The HTTP API (durations in milliseconds). */
  http: {
    sessionTimeout: number;
    /** Lifetime of a "keep me logged in" session without use, ms (0: the option is off). */
    sessionRemember: number;
    commandTimeout: number;
    rateLimit: {
      burst: number;
      perMinute: number;
      max: number;
      expire: number;
      delay: number;
      exempt: string[];
    };
    trustProxy: boolean;
    corsOrigin: string;
    /** Origins besides the server's own that may use the session cookie for state changes. */
    allowedOrigins: string[];
    idleTimeout: number;
    keepAliveTimeout: number;
    headerTimeout: number;
    maxConnectionsPerAddress: number;
    /** multipart/form-data bodies: most fields, most bytes per field. */
    form: { maxFields: number; maxFieldBytes: number };
    /** Seconds; 0 = no Strict-Transport-Security header. */
    hstsMaxAge: number;
    /** Map tile URL template for the web dashboard ('' = offline map). */
    mapTiles: string;
  };
  mqtt: {
    superuser: string;
    /** External broker URL ('' = none); may hold a password: never log it (redactUrl). */
    url: string;
    /** Milliseconds. */
    sessionExpiry: number;
    maxMetricsPerVehicle: number;
    maxPayload: number;
    maxVehiclesPerOwner: number;
    /** The embedded broker (src/mqtt/embedded-broker.ts); connectTimeout in milliseconds. */
    port: number;
    tlsPort: number;
    maxConnections: number;
    maxConnectionsPerAddress: number;
    connectTimeout: number;
    maxPacketSize: number;
    maxSubscriptions: number;
    publishRate: number;
    publishBurst: number;
    maxRetainedPerOwner: number;
    maxRetainedBytesPerOwner: number;
  };
  /** ABRP live telemetry (src/integrations/abrp, docs/integrations.md); durations in milliseconds. */
  abrp: {
    /** '' = off. */
    apiKey: string;
    url: string;
    intervalMs: number;
    parkedIntervalMs: number;
    timeoutMs: number;
    retryBaseMs: number;
    retryMaxMs: number;
    breakerFailures: number;
    maxInFlight: number;
    refreshMs: number;
    countAsApp: boolean;
  };
  /** Prometheus metrics (src/metrics, docs/operations.md). */
  metrics: {
    enabled: boolean;
    /** The unauthenticated listener of `metrics.listen`, if any. */
    listen: { host: string; port: number } | undefined;
  };
  /** Home Assistant MQTT discovery (src/integrations/home-assistant, docs/home-assistant.md). */
  ha: {
    discovery: boolean;
    /** May hold `{owner}` as a whole level. */
    discoveryPrefix: string;
    /** Owner names; empty = every owner. */
    owners: string[];
    refreshMs: number;
  };
  /** Push notifications (src/push, docs/push.md); durations in milliseconds. */
  push: {
    throttle: number;
    maxAttempts: number;
    retryBase: number;
    retryMax: number;
    suppressDebug: boolean;
    veceDir: string;
    apns: {
      keyFile: string;
      keyId: string;
      teamId: string;
      certFile: string;
      certKeyFile: string;
      topic: string;
      url: string;
      sandboxUrl: string;
      caFile: string;
    };
    fcm: { serviceAccount: string; url: string; tokenUrl: string };
    expo: { enabled: boolean; url: string; accessToken: string; receiptDelay: number };
    mail: { smtp: string; sender: string };
    webhook: { url: string; secret: string };
    ntfy: { url: string; token: string };
  };
}
