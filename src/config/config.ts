import { readFileSync } from 'node:fs';
import { parse as parseToml } from 'smol-toml';
import type { ServerConfig } from './server-config.js';
import { SETTINGS, type SettingKey, type SettingSpec } from './settings.js';

export type { ServerConfig } from './server-config.js';

export class ConfigError extends Error {
  readonly code = 'OVMS_ERR_CONFIG';
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

type Raw = Record<string, string | number | boolean>;
const LEVELS = new Set(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']);

function coerce(spec: SettingSpec, value: unknown, origin: string): string | number | boolean {
  const where = `${spec.key} (from ${origin})`;
  switch (spec.type) {
    case 'string':
      if (typeof value !== 'string' && typeof value !== 'number')
        throw new ConfigError(`${where} must be text`);
      return String(value);
    case 'level': {
      const v = String(value).toLowerCase();
      if (!LEVELS.has(v)) throw new ConfigError(`${where} must be one of ${[...LEVELS].join(', ')}`);
      return v;
    }
    case 'bool': {
      if (typeof value === 'boolean') return value;
      const v = String(value).toLowerCase();
      if (['1', 'true', 'yes', 'on'].includes(v)) return true;
      if (['0', 'false', 'no', 'off', ''].includes(v)) return false;
      throw new ConfigError(`${where} must be true or false, not ${JSON.stringify(value)}`);
    }
    case 'seconds': {
      // Fractions are allowed (tests and fast-failing set-ups use sub-second timeouts).
      const n = typeof value === 'number' ? value : Number(String(value).trim());
      if (!Number.isFinite(n) || n < 0)
        throw new ConfigError(`${where} must be a number of seconds ≥ 0, not ${JSON.stringify(value)}`);
      return n;
    }
    default: {
      const n = typeof value === 'number' ? value : Number(String(value).trim());
      if (!Number.isInteger(n) || n < 0)
        throw new ConfigError(`${where} must be a whole number ≥ 0, not ${JSON.stringify(value)}`);
      if (spec.type === 'port' && n > 65535)
        throw new ConfigError(`${where} must be a port number (0-65535)`);
      return n;
    }
  }
}

function flattenToml(doc: Record<string, unknown>, file: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [section, body] of Object.entries(doc)) {
    if (body === null || typeof body !== 'object' || Array.isArray(body)) {
      throw new ConfigError(
        `${file}: "${section}" must be a [section]; settings go inside sections (e.g. [server] port = 6867)`,
      );
    }
    for (const [key, value] of Object.entries(body as Record<string, unknown>))
      out[`${section}.${key}`] = value;
  }
  return out;
}

/** A TOML syntax error in one line: the file, line and column, and the parser's reason. */
function tomlError(file: string, err: unknown): ConfigError {
  const { line, column, message } = err as { line?: number; column?: number; message?: string };
  const reason = (message ?? String(err)).split('\n')[0]?.replace(/^Invalid TOML document: /, '');
  const where = line === undefined ? file : `${file} line ${line}, column ${column}`;
  return new ConfigError(`${where}: not valid TOML (${reason}): fix that line (see docs/configuration.md)`);
}

export interface LoadOptions {
  /** A TOML file; missing file is an error. */
  file?: string;
  env?: NodeJS.ProcessEnv;
  /** Values from the command line, by setting key; they win over everything else. */
  overrides?: Partial<Record<SettingKey, string | number | boolean | undefined>>;
}

/** Defaults, then the TOML file, then environment variables, then command-line flags. */
export function loadConfig(opts: LoadOptions = {}): ServerConfig {
  const raw: Raw = {};
  const specs = new Map<string, SettingSpec>(SETTINGS.map((s) => [s.key, s]));
  for (const s of SETTINGS) raw[s.key] = s.default;

  if (opts.file) {
    let text: string;
    try {
      text = readFileSync(opts.file, 'utf8');
    } catch (err) {
      throw new ConfigError(
        `cannot read config file ${opts.file} (${(err as Error).message}): ` +
          'fix --config or OVMS_CONFIG, or let this user read the file',
      );
    }
    let doc: Record<string, unknown>;
    try {
      doc = parseToml(text) as Record<string, unknown>;
    } catch (err) {
      throw tomlError(opts.file, err);
    }
    for (const [key, value] of Object.entries(flattenToml(doc, opts.file))) {
      const spec = specs.get(key);
      if (!spec) throw new ConfigError(`${opts.file}: unknown setting "${key}" (see docs/configuration.md)`);
      raw[key] = coerce(spec, value, opts.file);
    }
  }
  const env = opts.env ?? process.env;
  for (const s of SETTINGS) {
    const value = env[s.env];
    if (value !== undefined && value !== '') raw[s.key] = coerce(s, value, `environment ${s.env}`);
  }
  for (const [key, value] of Object.entries(opts.overrides ?? {})) {
    if (value === undefined) continue;
    const spec = specs.get(key);
    if (!spec) throw new ConfigError(`unknown setting ${key}`);
    raw[key] = coerce(spec, value, 'command line');
  }
  return build(raw);
}

function build(raw: Raw): ServerConfig {
  const str = (k: SettingKey) => raw[k] as string;
  const num = (k: SettingKey) => raw[k] as number;
  const bool = (k: SettingKey) => raw[k] as boolean;
  const ms = (k: SettingKey) => (raw[k] as number) * 1000;
  const list = (k: SettingKey) =>
    str(k)
      .split(',')
      .map((a) => a.trim())
      .filter(Boolean);
  const config: ServerConfig = {
    host: str('server.host'),
    port: num('server.port'),
    tlsPort: num('server.tls_port'),
    httpPort: num('server.http_port'),
    httpsPort: num('server.https_port'),
    nodeId: str('server.node_id'),
    allowPlainScheme1: bool('server.allow_plain_scheme1'),
    tls: { cert: str('tls.cert'), key: str('tls.key'), expiryWarningDays: num('tls.expiry_warning_days') },
    bus: {
      url: str('bus.url'),
      prefix: str('bus.prefix'),
      leaseMs: ms('bus.lease'),
      relayCommitWaitMs: ms('bus.relay_commit_wait'),
    },
    database: { url: str('database.url'), migrate: bool('database.migrate') },
    secretsKey: str('secrets.key'),
    log: { level: str('log.level'), pretty: bool('log.pretty') },
    timeouts: {
      login: ms('timeouts.login'),
      car: ms('timeouts.car'),
      app: ms('timeouts.app'),
      batch: ms('timeouts.batch'),
      carPing: ms('timeouts.car_ping'),
      command: ms('timeouts.command'),
    },
    limits: {
      maxLineLength: num('limits.max_line_length'),
      maxConnections: num('limits.max_connections'),
      maxConnectionsPerIp: num('limits.max_connections_per_ip'),
      outputBuffer: num('limits.output_buffer'),
      authFailures: num('limits.auth_failures'),
      authFailureWindow: ms('limits.auth_failure_window'),
      maxPendingCommandsPerApp: num('limits.max_pending_commands_per_app'),
      maxPendingCommandsPerCar: num('limits.max_pending_commands_per_car'),
      refusedCommandsPerSecond: num('limits.refused_commands_per_second'),
      refusedCommandsBurst: num('limits.refused_commands_burst'),
      maxGroupsPerConnection: num('limits.max_groups_per_connection'),
      maxGroupNameLength: num('limits.max_group_name_length'),
      warningsPerConnection: num('limits.warnings_per_connection'),
      account: {
        failures: num('limits.account_failures'),
        delayMax: ms('limits.account_delay_max'),
        window: ms('limits.account_failure_window'),
      },
    },
    history: {
      logMessages: ms('history.log_messages'),
      utilisationDays: num('history.utilisation_days'),
      purgeInterval: ms('history.purge_interval'),
      purgeBatch: num('history.purge_batch'),
      utilisationFlush: ms('history.utilisation_flush'),
      quotaRows: num('history.quota_rows'),
      quotaBytes: num('history.quota_bytes'),
      ratePerMinute: num('history.rate_per_minute'),
      rateBurst: num('history.rate_burst'),
      refusalAlertInterval: ms('history.refusal_alert_interval'),
      recording: bool('history.recording'),
      sampleInterval: ms('history.sample_s'),
      idleSampleInterval: ms('history.idle_sample_s'),
      keepDays: num('history.keep_days'),
    },
    http: {
      sessionTimeout: ms('http.session_timeout'),
      sessionRemember: ms('http.session_remember'),
      commandTimeout: ms('http.command_timeout'),
      rateLimit: {
        burst: num('http.ratelimit_burst'),
        perMinute: num('http.ratelimit_per_minute'),
        max: num('http.ratelimit_max'),
        expire: ms('http.ratelimit_expire'),
        delay: ms('http.ratelimit_delay'),
        exempt: list('http.ratelimit_exempt'),
      },
      trustProxy: bool('http.trust_proxy'),
      corsOrigin: str('http.cors_origin'),
      allowedOrigins: list('http.allowed_origins'),
      idleTimeout: ms('http.idle_timeout'),
      keepAliveTimeout: ms('http.keepalive_timeout'),
      headerTimeout: ms('http.header_timeout'),
      maxConnectionsPerAddress: num('http.max_connections_per_address'),
      form: { maxFields: num('http.form_max_fields'), maxFieldBytes: num('http.form_max_field_bytes') },
      hstsMaxAge: num('http.hsts_max_age'),
      mapTiles: str('http.map_tiles'),
    },
    mqtt: {
      superuser: str('mqtt.superuser'),
      url: str('mqtt.url'),
      sessionExpiry: ms('mqtt.session_expiry'),
      maxMetricsPerVehicle: num('mqtt.max_metrics_per_vehicle'),
      maxPayload: num('mqtt.max_payload'),
      maxVehiclesPerOwner: num('mqtt.max_vehicles_per_owner'),
      port: num('mqtt.port'),
      tlsPort: num('mqtt.tls_port'),
      maxConnections: num('mqtt.max_connections'),
      maxConnectionsPerAddress: num('mqtt.max_connections_per_address'),
      connectTimeout: ms('mqtt.connect_timeout'),
      maxPacketSize: num('mqtt.max_packet_size'),
      maxSubscriptions: num('mqtt.max_subscriptions'),
      publishRate: num('mqtt.publish_rate'),
      publishBurst: num('mqtt.publish_burst'),
      maxRetainedPerOwner: num('mqtt.max_retained_per_owner'),
      maxRetainedBytesPerOwner: num('mqtt.max_retained_bytes_per_owner'),
    },
    abrp: {
      apiKey: str('abrp.api_key'),
      url: str('abrp.url'),
      intervalMs: ms('abrp.interval_s'),
      parkedIntervalMs: ms('abrp.parked_interval_s'),
      timeoutMs: ms('abrp.timeout_s'),
      retryBaseMs: ms('abrp.retry_base_s'),
      retryMaxMs: ms('abrp.retry_max_s'),
      breakerFailures: num('abrp.breaker_failures'),
      maxInFlight: num('abrp.max_in_flight'),
      refreshMs: ms('abrp.refresh_s'),
      countAsApp: bool('abrp.count_as_app'),
    },
    metrics: { enabled: bool('metrics.enabled'), listen: hostPort('metrics.listen', str('metrics.listen')) },
    ha: {
      discovery: bool('ha.discovery'),
      discoveryPrefix: str('ha.discovery_prefix'),
      owners: str('ha.owners')
        .split(',')
        .map((o) => o.trim())
        .filter(Boolean),
      refreshMs: ms('ha.refresh_s'),
    },
    push: {
      throttle: ms('push.throttle'),
      maxAttempts: num('push.max_attempts'),
      retryBase: ms('push.retry_base'),
      retryMax: ms('push.retry_max'),
      suppressDebug: bool('push.suppress_debug'),
      veceDir: str('push.vece_dir'),
      apns: {
        keyFile: str('push.apns_key_file'),
        keyId: str('push.apns_key_id'),
        teamId: str('push.apns_team_id'),
        certFile: str('push.apns_cert_file'),
        certKeyFile: str('push.apns_cert_key_file'),
        topic: str('push.apns_topic'),
        url: str('push.apns_url'),
        sandboxUrl: str('push.apns_sandbox_url'),
        caFile: str('push.apns_ca_file'),
      },
      fcm: {
        serviceAccount: str('push.fcm_service_account'),
        url: str('push.fcm_url'),
        tokenUrl: str('push.fcm_token_url'),
      },
      expo: {
        enabled: bool('push.expo'),
        url: str('push.expo_url'),
        accessToken: str('push.expo_access_token'),
        receiptDelay: ms('push.expo_receipt_delay'),
      },
      mail: { smtp: str('push.mail_smtp'), sender: str('push.mail_sender') },
      webhook: { url: str('push.webhook_url'), secret: str('push.webhook_secret') },
      ntfy: { url: str('push.ntfy_url'), token: str('push.ntfy_token') },
    },
  };
  checkAbrp(config.abrp);
  checkHomeAssistant(config.ha);
  if ((config.tls.cert === '') !== (config.tls.key === '')) {
    throw new ConfigError('tls.cert and tls.key must be set together');
  }
  if (config.bus.url !== '' && !/^rediss?:\/\//.test(config.bus.url)) {
    throw new ConfigError(
      `bus.url must be empty (one node) or a redis:// URL, not ${JSON.stringify(config.bus.url)}`,
    );
  }
  if (config.limits.maxPendingCommandsPerApp < 1 || config.limits.maxPendingCommandsPerCar < 1) {
    throw new ConfigError(
      'limits.max_pending_commands_per_app and limits.max_pending_commands_per_car must be at least 1: at 0 no command could reach a car',
    );
  }
  if (config.limits.maxLineLength < 16384) {
    throw new ConfigError('limits.max_line_length must be at least 16384: cars send lines of several KB');
  }
  if (config.push.apns.keyFile !== '' && (config.push.apns.keyId === '' || config.push.apns.teamId === '')) {
    throw new ConfigError('push.apns_key_file needs push.apns_key_id and push.apns_team_id');
  }
  if (config.push.mail.smtp !== '' && config.push.mail.sender === '') {
    throw new ConfigError('push.mail_smtp needs push.mail_sender (the From address)');
  }
  for (const origin of config.http.allowedOrigins) {
    if (!/^https?:\/\/[^/?#\s]+$/.test(origin))
      throw new ConfigError(
        `http.allowed_origins: ${JSON.stringify(origin)} is not an origin (scheme://host[:port], no path)`,
      );
  }
  if (config.http.idleTimeout > 0 && config.http.idleTimeout < 2000) {
    throw new ConfigError('http.idle_timeout must be 0 (off) or at least 2 seconds');
  }
  if (config.mqtt.maxPacketSize < 16384) {
    throw new ConfigError(
      'mqtt.max_packet_size must be at least 16384: modules send command responses of several KB',
    );
  }
  if (config.mqtt.connectTimeout < 1000) {
    throw new ConfigError('mqtt.connect_timeout must be at least 1 second');
  }
  if (config.timeouts.carPing >= config.timeouts.car) {
    throw new ConfigError('timeouts.car_ping must be shorter than timeouts.car');
  }
  return config;
}

/** Defaults with selected changes, for tests and embedding. */
export function configWith(overrides: Partial<Record<SettingKey, string | number | boolean>>): ServerConfig {
  return loadConfig({ env: {}, overrides });
}

/** `HOST:PORT` or `[IPv6]:PORT` (a port from 1 to 65535); '' is undefined. */
export function hostPort(key: string, value: string): { host: string; port: number } | undefined {
  if (value === '') return undefined;
  const match = /^(?:\[([0-9A-Fa-f:.]+)\]|([^\s:[\]]+)):(\d{1,5})$/.exec(value);
  const port = Number(match?.[3]);
  if (!match || port < 1 || port > 65535)
    throw new ConfigError(
      `${key} must be HOST:PORT (e.g. 127.0.0.1:9464 or [::1]:9464), not ${JSON.stringify(value)}`,
    );
  return { host: match[1] ?? match[2]!, port };
}

/** The discovery prefix must be usable as MQTT topic levels; `{owner}` only as a whole level. */
function checkHomeAssistant(ha: ServerConfig['ha']): void {
  const levels = ha.discoveryPrefix.split('/');
  const bad = levels.some(
    (l) => l === '' || /[+#\u0000-\u001f]/.test(l) || (l.includes('{') && l !== '{owner}'),
  );
  if (bad)
    throw new ConfigError(
      `ha.discovery_prefix must be topic levels without wildcards or empty levels ({owner} as a whole level), not ${JSON.stringify(ha.discoveryPrefix)}`,
    );
  if (ha.refreshMs <= 0) throw new ConfigError('ha.refresh_s must be more than 0 seconds');
}

/** ABRP settings only matter once an API key turns it on; then every duration must be usable. */
function checkAbrp(abrp: ServerConfig['abrp']): void {
  if (abrp.apiKey === '') return;
  if (!/^https?:\/\/[^\s]+$/.test(abrp.url))
    throw new ConfigError(`abrp.url must be an http:// or https:// URL, not ${JSON.stringify(abrp.url)}`);
  const durations: [string, number][] = [
    ['abrp.interval_s', abrp.intervalMs],
    ['abrp.parked_interval_s', abrp.parkedIntervalMs],
    ['abrp.timeout_s', abrp.timeoutMs],
    ['abrp.retry_base_s', abrp.retryBaseMs],
    ['abrp.retry_max_s', abrp.retryMaxMs],
    ['abrp.refresh_s', abrp.refreshMs],
  ];
  for (const [key, value] of durations)
    if (value <= 0) throw new ConfigError(`${key} must be more than 0 seconds while abrp.api_key is set`);
  if (abrp.breakerFailures < 1 || abrp.maxInFlight < 1)
    throw new ConfigError('abrp.breaker_failures and abrp.max_in_flight must be at least 1');
}
