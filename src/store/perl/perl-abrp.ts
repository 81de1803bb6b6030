import { type AbrpLink, StoreUnsupportedError } from '../store.js';

/**
 * Perl mode keeps no ABRP links: the Perl server's schema is never altered, and it has no place for
 * them. Reads find none (so the server starts and sends nothing); storing one is refused clearly.
 */
const REFUSAL =
  'ABRP links are not available in Perl mode (the Perl server database is used as it is); ' +
  "move to ovms-server's own schema (ovms-server import) to use them";

function refuse(): never {
  throw new StoreUnsupportedError(REFUSAL);
}

export const perlAbrpLinks = {
  setAbrpToken: (): AbrpLink => refuse(),
  getAbrpLink: (): AbrpLink | undefined => undefined,
  listAbrpLinks: (): AbrpLink[] => [],
  deleteAbrpLink: (): boolean => false,
  setAbrpStatus: (): boolean => false,
};
