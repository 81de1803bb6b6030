import { hashDrupalPassword } from '../../src/auth/drupal-hash.js';
import { createMysqlDatabase, mysqlAdmin, type TestDatabase } from './databases.js';

/**
 * A Perl server's database as SERVER-INVENTORY.md §3 describes it (MyISAM, utf8, zero dates for
 * unset times), filled with rows shaped like the ones the Perl server, its Drupal module and its
 * admin scripts write. The Perl-mode and import tests run against it on the real MariaDB.
 */
export const PERL_SCHEMA = [
  `CREATE TABLE ovms_owners (
    owner int(10) unsigned NOT NULL DEFAULT 0,
    name varchar(60) NOT NULL DEFAULT '',
    mail varchar(254) DEFAULT '',
    pass varchar(128) NOT NULL DEFAULT '',
    status tinyint(4) NOT NULL DEFAULT 0,
    deleted tinyint(1) NOT NULL DEFAULT 0,
    changed datetime NOT NULL DEFAULT '0000-00-00 00:00:00',
    PRIMARY KEY (owner), KEY name (name)
  ) ENGINE=MyISAM DEFAULT CHARSET=utf8`,
  `CREATE TABLE ovms_cars (
    vehicleid varchar(32) NOT NULL DEFAULT '',
    vehiclename varchar(64) NOT NULL DEFAULT '',
    owner int(10) unsigned NOT NULL DEFAULT 0,
    telephone varchar(48) NOT NULL DEFAULT '',
    carpass varchar(255) NOT NULL DEFAULT '',
    userpass varchar(255) NOT NULL DEFAULT '',
    cryptscheme varchar(1) NOT NULL DEFAULT '0',
    v_ptoken varchar(32) NOT NULL DEFAULT '',
    v_server varchar(32) NOT NULL DEFAULT '*',
    v_type varchar(10) NOT NULL DEFAULT 'CAR',
    deleted tinyint(1) NOT NULL DEFAULT 0,
    changed datetime NOT NULL DEFAULT '0000-00-00 00:00:00',
    v_lastupdate datetime NOT NULL DEFAULT '0000-00-00 00:00:00',
    couponcode varchar(32) NOT NULL DEFAULT '',
    PRIMARY KEY (owner, vehicleid), KEY owner (owner)
  ) ENGINE=MyISAM DEFAULT CHARSET=utf8`,
  `CREATE TABLE ovms_carmessages (
    owner int(10) unsigned NOT NULL DEFAULT 0,
    vehicleid varchar(32) NOT NULL DEFAULT '',
    m_code char(1) NOT NULL DEFAULT '',
    m_valid tinyint(1) NOT NULL DEFAULT 1,
    m_msgtime datetime NOT NULL DEFAULT '0000-00-00 00:00:00',
    m_paranoid tinyint(1) NOT NULL DEFAULT 0,
    m_ptoken varchar(32) NOT NULL DEFAULT '',
    m_msg varchar(255) NOT NULL DEFAULT '',
    PRIMARY KEY (owner, vehicleid, m_code)
  ) ENGINE=MyISAM DEFAULT CHARSET=utf8`,
  `CREATE TABLE ovms_historicalmessages (
    owner int(10) unsigned NOT NULL DEFAULT 0,
    vehicleid varchar(32) NOT NULL DEFAULT '',
    h_timestamp datetime NOT NULL DEFAULT '0000-00-00 00:00:00',
    h_recordtype varchar(32) NOT NULL DEFAULT '',
    h_recordnumber int(5) NOT NULL DEFAULT 0,
    h_data text NOT NULL,
    h_expires datetime NOT NULL DEFAULT '0000-00-00 00:00:00',
    PRIMARY KEY (owner, vehicleid, h_recordtype, h_recordnumber, h_timestamp),
    KEY h_expires (h_expires), KEY h_recordtype (h_recordtype)
  ) ENGINE=MyISAM DEFAULT CHARSET=utf8`,
  `CREATE TABLE ovms_notifies (
    owner int(10) unsigned NOT NULL DEFAULT 0,
    vehicleid varchar(32) NOT NULL DEFAULT '',
    appid varchar(128) NOT NULL DEFAULT '',
    pushtype varchar(16) NOT NULL DEFAULT '',
    pushkeytype varchar(16) NOT NULL DEFAULT '',
    pushkeyvalue varchar(256) NOT NULL DEFAULT '',
    lastupdated datetime NOT NULL DEFAULT '0000-00-00 00:00:00',
    active tinyint(1) NOT NULL DEFAULT 1,
    PRIMARY KEY (owner, vehicleid, appid)
  ) ENGINE=MyISAM DEFAULT CHARSET=utf8`,
  `CREATE TABLE ovms_autoprovision (
    ap_key varchar(64) NOT NULL DEFAULT '',
    ap_stoken varchar(32) NOT NULL DEFAULT '',
    ap_sdigest varchar(32) NOT NULL DEFAULT '',
    ap_msg varchar(4096) NOT NULL DEFAULT '',
    deleted tinyint(1) NOT NULL DEFAULT 0,
    changed datetime NOT NULL DEFAULT '0000-00-00 00:00:00',
    owner int(10) unsigned NOT NULL DEFAULT 0,
    v_lastused datetime NOT NULL DEFAULT '0000-00-00 00:00:00',
    PRIMARY KEY (ap_key)
  ) ENGINE=MyISAM DEFAULT CHARSET=utf8`,
  `CREATE TABLE ovms_apitokens (
    owner int(10) unsigned NOT NULL,
    token varchar(64) NOT NULL,
    application varchar(32) NOT NULL DEFAULT '',
    purpose varchar(80) NOT NULL DEFAULT '',
    permit varchar(255) NOT NULL DEFAULT 'none',
    created datetime NOT NULL,
    refreshed datetime NOT NULL,
    lastused datetime NOT NULL,
    PRIMARY KEY (owner, token), KEY token (token)
  ) ENGINE=MyISAM DEFAULT CHARSET=utf8`,
];

/** The passwords behind the fixture's owners. */
export const PERL_PASSWORDS = { alice: 'alice-drupal-pw', bob: 'bob-plain-pw' };
/** An API token of alice's, kept in plain text as the reference does. */
export const PERL_TOKEN = 'f'.repeat(8) + '0123456789abcdef'.repeat(3) + '01234567';

/** Rows as the reference writes them; times are UTC. */
export function perlRows(): string[] {
  const drupal = hashDrupalPassword(PERL_PASSWORDS.alice, 8);
  return [
    `INSERT INTO ovms_owners (owner, name, mail, pass, status, deleted, changed) VALUES
      (7, 'alice', 'alice@example.org', '${drupal}', 1, 0, '2023-01-02 03:04:05'),
      (9, 'bob', 'bob@example.org', '${PERL_PASSWORDS.bob}', 1, 0, '2023-02-01 00:00:00'),
      (11, 'blocked', '', 'x', 0, 0, '2023-02-01 00:00:00'),
      (12, 'gone', '', 'x', 1, 1, '2023-02-01 00:00:00')`,
    `INSERT INTO ovms_cars (vehicleid, vehiclename, owner, carpass, v_ptoken, v_type, deleted, changed, v_lastupdate) VALUES
      ('TWIZY1', 'Twizy', 7, 'car secret 1', '', 'CAR', 0, '2023-01-03 00:00:00', '2024-05-01 11:59:00'),
      ('LEAF2', 'Leaf', 7, 'car secret 2', 'ptokA', 'CAR', 0, '2023-01-04 00:00:00', '0000-00-00 00:00:00'),
      ('OLDCAR', '', 7, 'old', '', 'CAR', 1, '2023-01-04 00:00:00', '0000-00-00 00:00:00'),
      ('PEER', '', 7, 'peer', '', 'SERVER', 0, '2023-01-04 00:00:00', '0000-00-00 00:00:00'),
      ('BOBCAR', 'Zoe', 9, 'bob car secret', '', 'CAR', 0, '2023-02-02 00:00:00', '0000-00-00 00:00:00'),
      ('BLOCKEDCAR', '', 11, 'b', '', 'CAR', 0, '2023-02-02 00:00:00', '0000-00-00 00:00:00')`,
    `INSERT INTO ovms_carmessages (owner, vehicleid, m_code, m_valid, m_msgtime, m_paranoid, m_ptoken, m_msg) VALUES
      (7, 'TWIZY1', 'S', 1, '2024-05-01 11:59:00', 0, '', '80.5,K,230,16.00,charging'),
      (7, 'TWIZY1', 'F', 1, '2024-05-01 11:58:00', 0, '', '3.3.005,VIN123,22,0,RT'),
      (7, 'TWIZY1', 'D', 0, '2024-05-01 11:00:00', 1, 'oldtoken', 'ENCRYPTED'),
      (7, 'TWIZY1', 'L', 1, '2024-05-01 11:57:00', 0, '', '51.5,-0.11,270')`,
    `INSERT INTO ovms_historicalmessages (owner, vehicleid, h_timestamp, h_recordtype, h_recordnumber, h_data, h_expires) VALUES
      (7, 'TWIZY1', '2024-05-01 10:00:00', 'RT-GPS-Log', 0, '51.5,-0.11', '2099-01-01 00:00:00'),
      (7, 'TWIZY1', '2024-05-01 10:00:10', 'RT-GPS-Log', 1, '51.6,-0.12', '2099-01-01 00:00:00'),
      (7, 'TWIZY1', '2024-05-01 10:05:00', 'RT-BAT-P', 0, 'pack,1,2,3', '2020-01-01 00:00:00'),
      (7, 'TWIZY1', '2024-04-30 00:00:00', '*-OVM-Utilisation', 0, '1000', '2024-05-01 00:00:00'),
      (7, 'TWIZY1', '2024-04-30 00:00:00', '*-OVM-Utilisation', 1, '2000', '2024-05-01 00:00:00'),
      (7, 'TWIZY1', '2024-04-30 00:00:00', '*-OVM-Utilisation', 2, '300', '2024-05-01 00:00:00'),
      (7, 'TWIZY1', '2024-04-30 00:00:00', '*-OVM-Utilisation', 3, '40', '2024-05-01 00:00:00')`,
    `INSERT INTO ovms_notifies (owner, vehicleid, appid, pushtype, pushkeytype, pushkeyvalue, lastupdated, active) VALUES
      (7, 'TWIZY1', 'phone-1', 'gcm', 'production', 'fcm-token', '2024-04-01 08:00:00', 1),
      (7, 'TWIZY1', 'old-phone', 'apns', 'production', 'apns-token', '2022-04-01 08:00:00', 0)`,
    `INSERT INTO ovms_autoprovision (ap_key, ap_stoken, ap_sdigest, ap_msg, deleted, changed, owner, v_lastused) VALUES
      ('VFTWIZY0001', 'tok22charsxxxxxxxxxxxx', 'digestdigestdigest==', 'ENCRYPTEDPARAMS', 0, '2023-03-01 00:00:00', 7, '0000-00-00 00:00:00'),
      ('VFDELETED01', 't', 'd', 'm', 1, '2023-03-01 00:00:00', 7, '0000-00-00 00:00:00')`,
    `INSERT INTO ovms_apitokens (owner, token, application, purpose, permit, created, refreshed, lastused) VALUES
      (7, '${PERL_TOKEN}', 'ovms-app', 'phone', 'auth,v2', '2024-01-01 00:00:00', '2024-01-01 00:00:00', '2024-01-01 00:00:00')`,
  ];
}

/** A new MariaDB database holding a filled Perl-server schema; dropped by `drop()`. */
export async function createPerlDatabase(options: { rows?: boolean } = {}): Promise<TestDatabase> {
  const database = await createMysqlDatabase();
  await mysqlAdmin(async (conn) => {
    await conn.query(`USE ${database.name}`);
    // The reference's zero dates need a server mode without NO_ZERO_DATE, as the Perl server's has.
    await conn.query("SET SESSION sql_mode = 'NO_ENGINE_SUBSTITUTION'");
    for (const statement of PERL_SCHEMA) await conn.query(statement);
    if (options.rows !== false) for (const statement of perlRows()) await conn.query(statement);
  });
  return database;
}
