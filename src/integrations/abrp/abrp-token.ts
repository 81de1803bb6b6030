/** ABRP user tokens are UUIDs today; anything printable without spaces, of a sane length, is taken. */
const TOKEN = /^[\x21-\x7e]{8,200}$/;

/** Why a token cannot be stored, or undefined when it can. */
export function abrpTokenProblem(token: string): string | undefined {
  if (TOKEN.test(token)) return undefined;
  return 'an ABRP token is 8 to 200 printable characters without spaces (copy it from ABRP: car settings, Live data, Generic)';
}
