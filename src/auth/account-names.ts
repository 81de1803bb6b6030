/**
 * What owner names and vehicle ids may look like.
 *
 * Both become MQTT topic segments: a module publishes under `ovms/<owner>/<vehicle id>/`, and
 * `/mqapi/acl` gives an owner the topics under `ovms/<owner>/`. A name holding the topic separator
 * `/` or a wildcard `+` / `#` would reach other owners' topics, so no entry point accepts one.
 *
 * Two levels:
 * - the rules for new names (the admin CLI, the HTTP API): strict, what the firmware and the v2
 *   welcome line can carry;
 * - the floor every name must meet to be used as a topic segment at all (the MQTT ACL, the import of
 *   a Perl database, the start-up check of rows already stored). Names below the rules but above the
 *   floor (a Drupal user name with a space, say) keep working as before.
 */

/** The Perl schema's `ovms_owners.name` is varchar(60). */
export const OWNER_NAME_MAX = 60;
/** The Perl schema's `ovms_cars.vehicleid` is varchar(32). */
export const VEHICLE_ID_MAX = 32;

export const OWNER_NAME_RULE = `owner names are 1-${OWNER_NAME_MAX} characters without spaces, control characters, ",", "/", "+" or "#"`;
export const VEHICLE_ID_RULE = `vehicle ids are 1-${VEHICLE_ID_MAX} letters, digits, "-", "_" or "."`;

const OWNER_NAME = new RegExp(`^[^\\s\\p{Cc},/+#]{1,${OWNER_NAME_MAX}}$`, 'u');
/** Upper-cased. The firmware's own setup pages allow ASCII letters, digits and "-"; "_" and "." are kept. */
const VEHICLE_ID = new RegExp(`^[A-Z0-9_.-]{1,${VEHICLE_ID_MAX}}$`);
/** The MQTT topic separator and wildcards, and control characters (MQTT forbids NUL in topics). */
const TOPIC_UNSAFE = /[/+#\p{Cc}]/u;

/** Why `name` cannot be a new owner's name, or undefined when it can. */
export function ownerNameProblem(name: string): string | undefined {
  return OWNER_NAME.test(name) ? undefined : `invalid owner name "${printable(name)}": ${OWNER_NAME_RULE}`;
}

/** Why `id` (upper-cased first) cannot be a new vehicle's id, or undefined when it can. */
export function vehicleIdProblem(id: string): string | undefined {
  return VEHICLE_ID.test(id.toUpperCase())
    ? undefined
    : `invalid vehicle id "${printable(id)}": ${VEHICLE_ID_RULE}`;
}

/** True when `name` can stand as one MQTT topic segment: not empty, no "/", "+", "#" or control characters. */
export function isTopicSafeName(name: string): boolean {
  return name !== '' && !TOPIC_UNSAFE.test(name);
}

/** Vehicle ids also split the v2 welcome line at spaces, so a stored one must have none. */
export function isUsableVehicleId(id: string): boolean {
  return isTopicSafeName(id) && !/\s/.test(id);
}

/** The name as it can be shown in one log or error line (control characters escaped, length capped). */
export function printable(name: string): string {
  const shown = name.length > 80 ? `${name.slice(0, 80)}…` : name;
  return shown.replace(/\p{Cc}/gu, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}
