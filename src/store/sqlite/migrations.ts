import type Database from 'better-sqlite3';
import { SchemaNewerError } from '../schema-newer-error.js';
import type { MigrationStatus } from '../store.js';

/**
 * Versioned schema changes for the SQLite back-end. Append only: a released migration is never
 * edited, a change to it is a new migration. Each one runs in its own transaction and is recorded in
 * `schema_migrations`.
 *
 * Units are in the column names: `_s` columns are epoch seconds (the reference keeps one-second
 * resolution for message and history times, and the history key depends on it), `_ms` columns are
 * epoch milliseconds.
 */
export interface Migration {
  version: number;
  name: string;
  up: string;
}

const initialSchema = `
-- AUTOINCREMENT: an owner id is never reused, so rows or tokens that outlive an owner cannot
-- suddenly belong to someone else.
CREATE TABLE owners (
  id            INTEGER PRIMARY KEY AUTOINCREMENT,
  name          TEXT    NOT NULL UNIQUE,
  mail          TEXT    NOT NULL DEFAULT '',
  password_hash TEXT    NOT NULL,
  admin         INTEGER NOT NULL DEFAULT 0 CHECK (admin IN (0, 1)),
  created_ms    INTEGER NOT NULL
);

-- Keyed per owner like the reference, but the id is also unique on its own: a car's welcome line
-- carries only the vehicle id. Ids are stored upper-case.
CREATE TABLE vehicles (
  owner_id      INTEGER NOT NULL REFERENCES owners (id) ON DELETE CASCADE,
  vehicle_id    TEXT    NOT NULL UNIQUE,
  secret        TEXT    NOT NULL, -- sealed by the store's SecretBox
  name          TEXT    NOT NULL DEFAULT '',
  ptoken        TEXT    NOT NULL DEFAULT '',
  last_update_s INTEGER,
  created_ms    INTEGER NOT NULL,
  PRIMARY KEY (owner_id, vehicle_id)
);

-- Latest message per code. BINARY collation: 'x' and 'X' are different messages.
CREATE TABLE messages (
  owner_id   INTEGER NOT NULL,
  vehicle_id TEXT    NOT NULL,
  code       TEXT    NOT NULL COLLATE BINARY,
  payload    BLOB    NOT NULL,
  time_s     INTEGER NOT NULL,
  paranoid   INTEGER NOT NULL DEFAULT 0,
  ptoken     TEXT    NOT NULL DEFAULT '',
  valid      INTEGER NOT NULL DEFAULT 1,
  PRIMARY KEY (owner_id, vehicle_id, code),
  FOREIGN KEY (owner_id, vehicle_id) REFERENCES vehicles (owner_id, vehicle_id) ON DELETE CASCADE
) WITHOUT ROWID;

-- A rowid table on purpose: the purge deletes "at most N" rows through a rowid subquery.
CREATE TABLE history (
  owner_id   INTEGER NOT NULL,
  vehicle_id TEXT    NOT NULL,
  type       TEXT    NOT NULL COLLATE BINARY,
  recno      INTEGER NOT NULL,
  ts_s       INTEGER NOT NULL,
  data       BLOB    NOT NULL,
  expires_s  INTEGER NOT NULL,
  FOREIGN KEY (owner_id, vehicle_id) REFERENCES vehicles (owner_id, vehicle_id) ON DELETE CASCADE
);
-- One index does three jobs: it is the upsert key (type, recno, second), it answers command 32
-- (type + time range, ordered by time then recno) and command 31 (grouped by type).
CREATE UNIQUE INDEX history_by_vehicle_type_time ON history (owner_id, vehicle_id, type, ts_s, recno);
CREATE INDEX history_by_expiry ON history (expires_s);

-- Bytes per vehicle and day (command 30). The primary key is the (owner, vehicle, day) index.
CREATE TABLE utilisation (
  owner_id   INTEGER NOT NULL,
  vehicle_id TEXT    NOT NULL,
  day        TEXT    NOT NULL CHECK (day GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]'),
  car_rx     INTEGER NOT NULL DEFAULT 0,
  car_tx     INTEGER NOT NULL DEFAULT 0,
  app_rx     INTEGER NOT NULL DEFAULT 0,
  app_tx     INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (owner_id, vehicle_id, day),
  FOREIGN KEY (owner_id, vehicle_id) REFERENCES vehicles (owner_id, vehicle_id) ON DELETE CASCADE
) WITHOUT ROWID;
CREATE INDEX utilisation_by_day ON utilisation (day);

CREATE TABLE push_subscriptions (
  owner_id        INTEGER NOT NULL,
  vehicle_id      TEXT    NOT NULL,
  app_id          TEXT    NOT NULL,
  push_type       TEXT    NOT NULL,
  push_key_type   TEXT    NOT NULL DEFAULT '',
  push_key_value  TEXT    NOT NULL,
  last_updated_ms INTEGER NOT NULL,
  PRIMARY KEY (owner_id, vehicle_id, app_id),
  FOREIGN KEY (owner_id, vehicle_id) REFERENCES vehicles (owner_id, vehicle_id) ON DELETE CASCADE
) WITHOUT ROWID;

CREATE TABLE autoprovision (
  ap_key       TEXT    PRIMARY KEY,
  token        TEXT    NOT NULL,
  digest       TEXT    NOT NULL,
  record       TEXT    NOT NULL,
  owner_id     INTEGER REFERENCES owners (id) ON DELETE CASCADE,
  last_used_ms INTEGER
);
CREATE INDEX autoprovision_by_owner ON autoprovision (owner_id);

-- Only the SHA-256 of a token is kept.
CREATE TABLE api_tokens (
  token_hash   TEXT    PRIMARY KEY,
  owner_id     INTEGER NOT NULL REFERENCES owners (id) ON DELETE CASCADE,
  application  TEXT    NOT NULL DEFAULT '',
  purpose      TEXT    NOT NULL DEFAULT '',
  permit       TEXT    NOT NULL,
  created_ms   INTEGER NOT NULL,
  last_used_ms INTEGER
);
CREATE INDEX api_tokens_by_owner ON api_tokens (owner_id);
`;

// The push dispatcher's durable queue (src/push/): one row per alert or delivery, with retry state.
const pushQueue = `
CREATE TABLE push_queue (
  id         INTEGER PRIMARY KEY AUTOINCREMENT,
  payload    TEXT    NOT NULL,
  attempts   INTEGER NOT NULL DEFAULT 0,
  due_ms     INTEGER NOT NULL,
  created_ms INTEGER NOT NULL
);
CREATE INDEX push_queue_by_due ON push_queue (due_ms, id);
`;

// Each vehicle's link to A Better Route Planner (src/integrations/abrp): the owner's token, sealed
// like a car secret, and what ABRP last answered.
const abrpLinks = `
CREATE TABLE abrp_links (
  owner_id   INTEGER NOT NULL,
  vehicle_id TEXT    NOT NULL,
  token      TEXT    NOT NULL, -- sealed by the store's SecretBox
  error      TEXT    NOT NULL DEFAULT '',
  refused    INTEGER NOT NULL DEFAULT 0 CHECK (refused IN (0, 1)),
  error_ms   INTEGER,
  updated_ms INTEGER NOT NULL,
  PRIMARY KEY (owner_id, vehicle_id),
  FOREIGN KEY (owner_id, vehicle_id) REFERENCES vehicles (owner_id, vehicle_id) ON DELETE CASCADE
) WITHOUT ROWID;
`;

// Recording (src/recording): the sampled series, finished trips/charges/parking periods (the whole
// period as JSON in detail; kind and start are the key an API id names), each vehicle's recorder
// state and settings, and owners' named places. Samples are keyed by second; the time indexes serve
// the purge (history.keep_days).
const recording = `
CREATE TABLE rec_samples (
  owner_id        INTEGER NOT NULL,
  vehicle_id      TEXT    NOT NULL,
  t_s             INTEGER NOT NULL,
  mode            INTEGER NOT NULL, -- 0 idle, 1 driving, 2 charging
  soc             REAL,
  range_ideal_km  REAL,
  range_est_km    REAL,
  odometer_km     REAL,
  speed_kmh       REAL,
  lat             REAL,
  lon             REAL,
  power_kw        REAL,
  charge_power_kw REAL,
  charge_kwh      REAL,
  v12             REAL,
  battery_temp_c  REAL,
  cabin_temp_c    REAL,
  ambient_temp_c  REAL,
  soh             REAL,
  PRIMARY KEY (owner_id, vehicle_id, t_s),
  FOREIGN KEY (owner_id, vehicle_id) REFERENCES vehicles (owner_id, vehicle_id) ON DELETE CASCADE
) WITHOUT ROWID;
CREATE INDEX rec_samples_by_time ON rec_samples (t_s);

CREATE TABLE rec_periods (
  owner_id   INTEGER NOT NULL,
  vehicle_id TEXT    NOT NULL,
  kind       TEXT    NOT NULL CHECK (kind IN ('trip', 'charge', 'park')),
  start_s    INTEGER NOT NULL,
  end_s      INTEGER NOT NULL,
  detail     TEXT    NOT NULL,
  PRIMARY KEY (owner_id, vehicle_id, kind, start_s),
  FOREIGN KEY (owner_id, vehicle_id) REFERENCES vehicles (owner_id, vehicle_id) ON DELETE CASCADE
);
CREATE INDEX rec_periods_by_end ON rec_periods (end_s);

CREATE TABLE rec_vehicles (
  owner_id      INTEGER NOT NULL,
  vehicle_id    TEXT    NOT NULL,
  state         TEXT    NOT NULL,
  updated_s     INTEGER NOT NULL,
  capacity_kwh  REAL,
  price_per_kwh REAL,
  backfilled_s  INTEGER,
  PRIMARY KEY (owner_id, vehicle_id),
  FOREIGN KEY (owner_id, vehicle_id) REFERENCES vehicles (owner_id, vehicle_id) ON DELETE CASCADE
) WITHOUT ROWID;

CREATE TABLE rec_places (
  id            INTEGER PRIMARY KEY AUTOINCREMENT,
  owner_id      INTEGER NOT NULL REFERENCES owners (id) ON DELETE CASCADE,
  name          TEXT    NOT NULL,
  lat           REAL    NOT NULL,
  lon           REAL    NOT NULL,
  radius_m      REAL    NOT NULL,
  price_per_kwh REAL
);
CREATE INDEX rec_places_by_owner ON rec_places (owner_id);
`;

// HTTP sessions (dashboard and API cookie logins), kept across restarts; only the id's SHA-256.
const httpSessions = `
CREATE TABLE http_sessions (
  id_hash    TEXT    PRIMARY KEY,
  owner_id   INTEGER NOT NULL REFERENCES owners (id) ON DELETE CASCADE,
  permit     TEXT    NOT NULL,
  stamp      TEXT    NOT NULL,
  remember   INTEGER NOT NULL DEFAULT 0 CHECK (remember IN (0, 1)),
  created_ms INTEGER NOT NULL,
  expires_ms INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX http_sessions_by_owner ON http_sessions (owner_id);
CREATE INDEX http_sessions_by_expiry ON http_sessions (expires_ms);
`;

export const migrations: readonly Migration[] = [
  { version: 1, name: 'initial schema', up: initialSchema },
  { version: 2, name: 'push queue', up: pushQueue },
  { version: 3, name: 'abrp links', up: abrpLinks },
  { version: 4, name: 'recording', up: recording },
  { version: 5, name: 'http sessions', up: httpSessions },
];

interface AppliedRow {
  version: number;
  name: string;
  applied_ms: number;
}

function hasMigrationsTable(db: Database.Database): boolean {
  const row = db
    .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'")
    .get();
  return row !== undefined;
}

/** What has been applied, read without changing the database. */
export function migrationStatus(
  db: Database.Database,
  list: readonly Migration[] = migrations,
): MigrationStatus {
  const rows = hasMigrationsTable(db)
    ? (db
        .prepare('SELECT version, name, applied_ms FROM schema_migrations ORDER BY version')
        .all() as AppliedRow[])
    : [];
  return {
    current: rows.at(-1)?.version ?? 0,
    latest: list.at(-1)?.version ?? 0,
    applied: rows.map((r) => ({ version: r.version, name: r.name, appliedAt: new Date(r.applied_ms) })),
  };
}

/**
 * Applies the missing migrations in order, one transaction each. BEGIN IMMEDIATE takes the write lock
 * before the version is re-read, so two processes starting at once cannot both apply a migration.
 */
export function migrate(db: Database.Database, list: readonly Migration[] = migrations): MigrationStatus {
  checkOrder(list);
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version    INTEGER PRIMARY KEY,
    name       TEXT    NOT NULL,
    applied_ms INTEGER NOT NULL
  )`);
  const latest = list.at(-1)?.version ?? 0;
  const before = migrationStatus(db, list).current;
  if (before > latest) {
    throw new SchemaNewerError(before, latest);
  }
  for (const migration of list) {
    if (migration.version <= before) continue;
    const apply = db.transaction(() => {
      // Another process may have applied it between our first look and taking the lock.
      if (migrationStatus(db, list).current >= migration.version) return;
      db.exec(migration.up);
      db.prepare('INSERT INTO schema_migrations (version, name, applied_ms) VALUES (?, ?, ?)').run(
        migration.version,
        migration.name,
        Date.now(),
      );
    });
    try {
      apply.immediate();
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new Error(`migration ${migration.version} (${migration.name}) failed: ${reason}`, {
        cause: error,
      });
    }
  }
  return migrationStatus(db, list);
}

function checkOrder(list: readonly Migration[]): void {
  list.forEach((m, i) => {
    const previous = list[i - 1];
    if (!Number.isInteger(m.version) || m.version < 1 || (previous && m.version <= previous.version)) {
      throw new Error(`migration versions must be positive integers in ascending order (at ${m.version})`);
    }
  });
}
