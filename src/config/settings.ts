/**
 * Every setting the server reads: its TOML key (section.key), environment variable, type, default
 * and meaning. The config loader, the `--help` text and docs/configuration.md all come from this
 * one table, so a setting cannot exist in one place and not the others.
 */
export type SettingType = 'string' | 'int' | 'port' | 'bool' | 'seconds' | 'level';

export interface SettingSpec {
  key: string;
  env?: string;
  type: SettingType;
  default: string | number | boolean;
  help: string;
}

export const SETTINGS = [
  {
    key: 'server.host',
    env: 'OVMS_HOST',
    type: 'string',
    default: '::',
    help: 'Address to listen on (:: = all, IPv4 and IPv6)',
  },
  {
    key: 'server.port',
    env: 'OVMS_PORT',
    type: 'port',
    default: 6867,
    help: 'Protocol v2 TCP port (0 = off)',
  },
  {
    key: 'server.tls_port',
    env: 'OVMS_TLS_PORT',
    type: 'port',
    default: 6870,
    help: 'Protocol v2 TLS port, opened when tls.cert and tls.key are set',
  },
  {
    key: 'server.http_port',
    env: 'OVMS_HTTP_PORT',
    type: 'port',
    default: 6868,
    help: 'HTTP API port (0 = off)',
  },
  {
    key: 'server.https_port',
    env: 'OVMS_HTTPS_PORT',
    type: 'port',
    default: 6869,
    help: 'HTTPS API port, opened when tls.cert and tls.key are set',
  },
  {
    key: 'server.node_id',
    env: 'OVMS_NODE_ID',
    type: 'string',
    default: '',
    help: 'Name of this node in logs and on the bus (default: host name and process id)',
  },
  {
    key: 'server.allow_plain_scheme1',
    env: 'OVMS_ALLOW_PLAIN_SCHEME1',
    type: 'bool',
    default: false,
    help: 'Accept scheme-1 (plain-text password) logins on the non-TLS port',
  },
  {
    key: 'tls.cert',
    env: 'OVMS_TLS_CERT',
    type: 'string',
    default: '',
    help: 'PEM certificate chain for the TLS ports',
  },
  {
    key: 'tls.key',
    env: 'OVMS_TLS_KEY',
    type: 'string',
    default: '',
    help: 'PEM private key for the TLS ports',
  },
  {
    key: 'database.url',
    env: 'OVMS_DB',
    type: 'string',
    default: 'sqlite:./data/ovms.db',
    help: 'Database URL (sqlite:PATH)',
  },
  {
    key: 'database.migrate',
    env: 'OVMS_DB_MIGRATE',
    type: 'bool',
    default: true,
    help: 'Apply database migrations at start',
  },
  {
    key: 'secrets.key',
    env: 'OVMS_SECRETS_KEY',
    type: 'string',
    default: '',
    help: 'Key that encrypts vehicle secrets at rest (empty = stored as given)',
  },
  {
    key: 'log.level',
    env: 'OVMS_LOG_LEVEL',
    type: 'level',
    default: 'info',
    help: 'Log level: trace, debug, info, warn, error, fatal, silent',
  },
  {
    key: 'log.pretty',
    env: 'OVMS_LOG_PRETTY',
    type: 'bool',
    default: false,
    help: 'Human-readable log lines instead of JSON',
  },
  {
    key: 'timeouts.login',
    env: 'OVMS_TIMEOUT_LOGIN',
    type: 'seconds',
    default: 30,
    help: 'Time a new connection has to log in',
  },
  {
    key: 'timeouts.car',
    env: 'OVMS_TIMEOUT_CAR',
    type: 'seconds',
    default: 960,
    help: 'Close a car that sent nothing for this long',
  },
  {
    key: 'timeouts.app',
    env: 'OVMS_TIMEOUT_APP',
    type: 'seconds',
    default: 1200,
    help: 'Close an app that sent nothing for this long',
  },
  {
    key: 'timeouts.batch',
    env: 'OVMS_TIMEOUT_BATCH',
    type: 'seconds',
    default: 300,
    help: 'Close a batch client that sent nothing for this long',
  },
  {
    key: 'timeouts.car_ping',
    env: 'OVMS_TIMEOUT_CAR_PING',
    type: 'seconds',
    default: 900,
    help: 'Ping a car when nothing was sent to it for this long',
  },
  {
    key: 'limits.max_line_length',
    env: 'OVMS_MAX_LINE',
    type: 'int',
    default: 65536,
    help: 'Longest line accepted, in bytes',
  },
  {
    key: 'limits.max_connections',
    env: 'OVMS_MAX_CONNECTIONS',
    type: 'int',
    default: 100000,
    help: 'Most protocol connections at once',
  },
  {
    key: 'limits.max_connections_per_ip',
    env: 'OVMS_MAX_CONNECTIONS_PER_IP',
    type: 'int',
    default: 2000,
    help: 'Most protocol connections from one address (carrier NAT puts many cars behind one)',
  },
  {
    key: 'limits.output_buffer',
    env: 'OVMS_OUTPUT_BUFFER',
    type: 'int',
    default: 1048576,
    help: 'Bytes queued for a client that does not read before it is dropped',
  },
  {
    key: 'limits.auth_failures',
    env: 'OVMS_AUTH_FAILURES',
    type: 'int',
    default: 10,
    help: 'Failed logins per source address and vehicle id before further tries are refused',
  },
  {
    key: 'limits.auth_failure_window',
    env: 'OVMS_AUTH_FAILURE_WINDOW',
    type: 'seconds',
    default: 300,
    help: 'Window for counting failed logins',
  },
  {
    key: 'history.log_messages',
    env: 'OVMS_HISTORY_LOG_MESSAGES',
    type: 'seconds',
    default: 86400,
    help: 'Keep every stored car message as a history record of its code for this long (0 = off)',
  },
  {
    key: 'history.utilisation_days',
    env: 'OVMS_UTILISATION_DAYS',
    type: 'int',
    default: 365,
    help: 'Days of per-vehicle data usage kept for command 30',
  },
  {
    key: 'history.purge_interval',
    env: 'OVMS_PURGE_INTERVAL',
    type: 'seconds',
    default: 60,
    help: 'How often expired history is deleted',
  },
  {
    key: 'history.purge_batch',
    env: 'OVMS_PURGE_BATCH',
    type: 'int',
    default: 5000,
    help: 'Rows deleted per purge batch (batches repeat until none are left)',
  },
  {
    key: 'history.utilisation_flush',
    env: 'OVMS_UTILISATION_FLUSH',
    type: 'seconds',
    default: 60,
    help: 'How often byte counters are written to the database',
  },
] as const satisfies readonly SettingSpec[];

export type SettingKey = (typeof SETTINGS)[number]['key'];
