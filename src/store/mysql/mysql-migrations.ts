import type { SqlMigration } from '../sql/sql-migrations.js';

/**
 * Our own schema in MariaDB/MySQL: the same tables and columns as SQLite (src/store/sqlite/migrations.ts
 * explains them). Append only.
 *
 * InnoDB for transactions and foreign keys; utf8mb4_bin so ids, codes and record types compare and
 * sort byte-wise ('x' and 'X' are two message codes, unlike in the Perl server's schema). Keys are
 * VARCHARs because InnoDB cannot index TEXT without a prefix; the limits are far above the
 * reference's (vehicle ids 32, record types 32 characters).
 */
const TABLE = 'ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin';

const initialSchema = [
  `CREATE TABLE IF NOT EXISTS owners (
    id            BIGINT       NOT NULL AUTO_INCREMENT PRIMARY KEY,
    name          VARCHAR(255) NOT NULL UNIQUE,
    mail          VARCHAR(255) NOT NULL DEFAULT '',
    password_hash VARCHAR(255) NOT NULL,
    admin         TINYINT      NOT NULL DEFAULT 0 CHECK (admin IN (0, 1)),
    created_ms    BIGINT       NOT NULL
  ) ${TABLE}`,
  `CREATE TABLE IF NOT EXISTS vehicles (
    owner_id      BIGINT       NOT NULL,
    vehicle_id    VARCHAR(64)  NOT NULL UNIQUE,
    secret        TEXT         NOT NULL,
    name          VARCHAR(255) NOT NULL DEFAULT '',
    ptoken        VARCHAR(255) NOT NULL DEFAULT '',
    last_update_s BIGINT,
    created_ms    BIGINT       NOT NULL,
    PRIMARY KEY (owner_id, vehicle_id),
    FOREIGN KEY (owner_id) REFERENCES owners (id) ON DELETE CASCADE
  ) ${TABLE}`,
  `CREATE TABLE IF NOT EXISTS messages (
    owner_id   BIGINT       NOT NULL,
    vehicle_id VARCHAR(64)  NOT NULL,
    code       VARCHAR(32)  NOT NULL,
    payload    MEDIUMBLOB   NOT NULL,
    time_s     BIGINT       NOT NULL,
    paranoid   TINYINT      NOT NULL DEFAULT 0,
    ptoken     VARCHAR(255) NOT NULL DEFAULT '',
    valid      TINYINT      NOT NULL DEFAULT 1,
    PRIMARY KEY (owner_id, vehicle_id, code),
    FOREIGN KEY (owner_id, vehicle_id) REFERENCES vehicles (owner_id, vehicle_id) ON DELETE CASCADE
  ) ${TABLE}`,
  // InnoDB clusters rows by the primary key: one vehicle's records of one type lie together in time
  // order, which is exactly what commands 31 and 32 read. The expiry index serves the purge.
  `CREATE TABLE IF NOT EXISTS history (
    owner_id   BIGINT       NOT NULL,
    vehicle_id VARCHAR(64)  NOT NULL,
    type       VARCHAR(128) NOT NULL,
    recno      BIGINT       NOT NULL,
    ts_s       BIGINT       NOT NULL,
    data       MEDIUMBLOB   NOT NULL,
    expires_s  BIGINT       NOT NULL,
    PRIMARY KEY (owner_id, vehicle_id, type, ts_s, recno),
    KEY history_by_expiry (expires_s),
    FOREIGN KEY (owner_id, vehicle_id) REFERENCES vehicles (owner_id, vehicle_id) ON DELETE CASCADE
  ) ${TABLE}`,
  `CREATE TABLE IF NOT EXISTS utilisation (
    owner_id   BIGINT      NOT NULL,
    vehicle_id VARCHAR(64) NOT NULL,
    day        CHAR(10)    NOT NULL CHECK (day REGEXP '^[0-9]{4}-[0-1][0-9]-[0-3][0-9]$'),
    car_rx     BIGINT      NOT NULL DEFAULT 0,
    car_tx     BIGINT      NOT NULL DEFAULT 0,
    app_rx     BIGINT      NOT NULL DEFAULT 0,
    app_tx     BIGINT      NOT NULL DEFAULT 0,
    PRIMARY KEY (owner_id, vehicle_id, day),
    KEY utilisation_by_day (day),
    FOREIGN KEY (owner_id, vehicle_id) REFERENCES vehicles (owner_id, vehicle_id) ON DELETE CASCADE
  ) ${TABLE}`,
  `CREATE TABLE IF NOT EXISTS push_subscriptions (
    owner_id        BIGINT       NOT NULL,
    vehicle_id      VARCHAR(64)  NOT NULL,
    app_id          VARCHAR(255) NOT NULL,
    push_type       VARCHAR(64)  NOT NULL,
    push_key_type   VARCHAR(64)  NOT NULL DEFAULT '',
    push_key_value  TEXT         NOT NULL,
    last_updated_ms BIGINT       NOT NULL,
    PRIMARY KEY (owner_id, vehicle_id, app_id),
    FOREIGN KEY (owner_id, vehicle_id) REFERENCES vehicles (owner_id, vehicle_id) ON DELETE CASCADE
  ) ${TABLE}`,
  `CREATE TABLE IF NOT EXISTS autoprovision (
    ap_key       VARCHAR(255) NOT NULL PRIMARY KEY,
    token        VARCHAR(255) NOT NULL,
    digest       VARCHAR(255) NOT NULL,
    record       TEXT         NOT NULL,
    owner_id     BIGINT,
    last_used_ms BIGINT,
    KEY autoprovision_by_owner (owner_id),
    FOREIGN KEY (owner_id) REFERENCES owners (id) ON DELETE CASCADE
  ) ${TABLE}`,
  `CREATE TABLE IF NOT EXISTS api_tokens (
    token_hash   VARCHAR(128) NOT NULL PRIMARY KEY,
    owner_id     BIGINT       NOT NULL,
    application  VARCHAR(255) NOT NULL DEFAULT '',
    purpose      VARCHAR(255) NOT NULL DEFAULT '',
    permit       TEXT         NOT NULL,
    created_ms   BIGINT       NOT NULL,
    last_used_ms BIGINT,
    KEY api_tokens_by_owner (owner_id),
    FOREIGN KEY (owner_id) REFERENCES owners (id) ON DELETE CASCADE
  ) ${TABLE}`,
];

export const mysqlMigrations: readonly SqlMigration[] = [
  { version: 1, name: 'initial schema', up: initialSchema },
  {
    version: 2,
    name: 'push queue',
    up: [
      `CREATE TABLE IF NOT EXISTS push_queue (
        id         BIGINT     NOT NULL AUTO_INCREMENT PRIMARY KEY,
        payload    MEDIUMTEXT NOT NULL,
        attempts   INTEGER    NOT NULL DEFAULT 0,
        due_ms     BIGINT     NOT NULL,
        created_ms BIGINT     NOT NULL,
        KEY push_queue_by_due (due_ms, id)
      ) ${TABLE}`,
    ],
  },
  {
    version: 3,
    name: 'abrp links',
    up: [
      `CREATE TABLE IF NOT EXISTS abrp_links (
        owner_id   BIGINT       NOT NULL,
        vehicle_id VARCHAR(64)  NOT NULL,
        token      TEXT         NOT NULL,
        error      VARCHAR(500) NOT NULL DEFAULT '',
        refused    TINYINT      NOT NULL DEFAULT 0 CHECK (refused IN (0, 1)),
        error_ms   BIGINT,
        updated_ms BIGINT       NOT NULL,
        PRIMARY KEY (owner_id, vehicle_id),
        FOREIGN KEY (owner_id, vehicle_id) REFERENCES vehicles (owner_id, vehicle_id) ON DELETE CASCADE
      ) ${TABLE}`,
    ],
  },
  {
    version: 4,
    name: 'recording',
    // FLOAT: 4-byte floats (7 digits, about 1 m of latitude); values are rounded on reading.
    up: [
      `CREATE TABLE IF NOT EXISTS rec_samples (
        owner_id        BIGINT      NOT NULL,
        vehicle_id      VARCHAR(64) NOT NULL,
        t_s             BIGINT      NOT NULL,
        mode            TINYINT     NOT NULL,
        soc             FLOAT,
        range_ideal_km  FLOAT,
        range_est_km    FLOAT,
        odometer_km     FLOAT,
        speed_kmh       FLOAT,
        lat             FLOAT,
        lon             FLOAT,
        power_kw        FLOAT,
        charge_power_kw FLOAT,
        charge_kwh      FLOAT,
        v12             FLOAT,
        battery_temp_c  FLOAT,
        cabin_temp_c    FLOAT,
        ambient_temp_c  FLOAT,
        soh             FLOAT,
        PRIMARY KEY (owner_id, vehicle_id, t_s),
        KEY rec_samples_by_time (t_s),
        FOREIGN KEY (owner_id, vehicle_id) REFERENCES vehicles (owner_id, vehicle_id) ON DELETE CASCADE
      ) ${TABLE}`,
      `CREATE TABLE IF NOT EXISTS rec_periods (
        owner_id   BIGINT      NOT NULL,
        vehicle_id VARCHAR(64) NOT NULL,
        kind       VARCHAR(8)  NOT NULL CHECK (kind IN ('trip', 'charge', 'park')),
        start_s    BIGINT      NOT NULL,
        end_s      BIGINT      NOT NULL,
        detail     TEXT        NOT NULL,
        PRIMARY KEY (owner_id, vehicle_id, kind, start_s),
        KEY rec_periods_by_end (end_s),
        FOREIGN KEY (owner_id, vehicle_id) REFERENCES vehicles (owner_id, vehicle_id) ON DELETE CASCADE
      ) ${TABLE}`,
      `CREATE TABLE IF NOT EXISTS rec_vehicles (
        owner_id      BIGINT      NOT NULL,
        vehicle_id    VARCHAR(64) NOT NULL,
        state         MEDIUMTEXT  NOT NULL,
        updated_s     BIGINT      NOT NULL,
        capacity_kwh  DOUBLE,
        price_per_kwh DOUBLE,
        backfilled_s  BIGINT,
        PRIMARY KEY (owner_id, vehicle_id),
        FOREIGN KEY (owner_id, vehicle_id) REFERENCES vehicles (owner_id, vehicle_id) ON DELETE CASCADE
      ) ${TABLE}`,
      `CREATE TABLE IF NOT EXISTS rec_places (
        id            BIGINT       NOT NULL AUTO_INCREMENT PRIMARY KEY,
        owner_id      BIGINT       NOT NULL,
        name          VARCHAR(100) NOT NULL,
        lat           DOUBLE       NOT NULL,
        lon           DOUBLE       NOT NULL,
        radius_m      DOUBLE       NOT NULL,
        price_per_kwh DOUBLE,
        KEY rec_places_by_owner (owner_id),
        FOREIGN KEY (owner_id) REFERENCES owners (id) ON DELETE CASCADE
      ) ${TABLE}`,
    ],
  },
  {
    version: 5,
    name: 'http sessions',
    up: [
      `CREATE TABLE IF NOT EXISTS http_sessions (
        id_hash    CHAR(64)    CHARACTER SET ascii NOT NULL PRIMARY KEY,
        owner_id   BIGINT      NOT NULL,
        permit     TEXT        NOT NULL,
        stamp      VARCHAR(64) NOT NULL,
        remember   TINYINT     NOT NULL DEFAULT 0 CHECK (remember IN (0, 1)),
        created_ms BIGINT      NOT NULL,
        expires_ms BIGINT      NOT NULL,
        KEY http_sessions_by_owner (owner_id),
        KEY http_sessions_by_expiry (expires_ms),
        FOREIGN KEY (owner_id) REFERENCES owners (id) ON DELETE CASCADE
      ) ${TABLE}`,
    ],
  },
];
