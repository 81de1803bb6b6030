/**
 * The database was migrated by a newer ovms-server than this one. Migrations only go forward, so
 * this version refuses to run on it (on start and in the admin commands) rather than misread it.
 */
export class SchemaNewerError extends Error {
  readonly code = 'OVMS_ERR_SCHEMA_NEWER';
  constructor(current: number, latest: number) {
    super(
      `the database schema is version ${current}, newer than this ovms-server knows (${latest}): ` +
        'a newer ovms-server has upgraded it and downgrades are not supported; run that newer version, ' +
        'or restore the backup taken before the upgrade (docs/operations.md)',
    );
    this.name = 'SchemaNewerError';
  }
}
