/**
 * `multipart/form-data` bodies (RFC 7578) read as text fields, the way the reference reads form
 * parameters: `curl -F name=value` (its documentation's way to create a token) and Python's
 * `requests` with `files={...}` (openWB), which sends every value as a part with a file name. A part's
 * content is taken as the field's text whether or not it has a file name; nothing is ever stored as a
 * file. Pure: bytes in, fields out.
 */

export interface FormLimits {
  /** Most parts in one body. */
  maxFields: number;
  /** Most bytes in one part's content. */
  maxFieldBytes: number;
}

/** A body that is not a form we take: answered 400 with this message (it never quotes the body). */
export class FormError extends Error {
  readonly statusCode = 400;
  constructor(readonly reason: string) {
    super(`Bad request: multipart form: ${reason}`);
    this.name = 'FormError';
  }
}

const CRLF = Buffer.from('\r\n');
const HEADER_END = Buffer.from('\r\n\r\n');
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The `boundary` parameter of a `multipart/form-data` content type (quoted or not), 1–70 characters. */
export function multipartBoundary(contentType: string | undefined): string {
  const match = /;\s*boundary=(?:"([^"]{1,70})"|([^\s;"]{1,70}))\s*(?:;|$)/i.exec(contentType ?? '');
  const boundary = match?.[1] ?? match?.[2];
  if (!boundary) throw new FormError('no valid boundary in the content type');
  return boundary;
}

/** The value of parameter `name` in a Content-Disposition header: a quoted string or a token. */
function dispositionParam(header: string, name: string): string | undefined {
  const re = new RegExp(`;\\s*${name}\\s*=\\s*(?:"((?:[^"\\\\]|\\\\.)*)"|([^\\s;"]+))`, 'i');
  const match = re.exec(header);
  if (!match) return undefined;
  return match[1] !== undefined ? match[1].replace(/\\(.)/g, '$1') : match[2];
}

/** The field name of one part, from its header block. */
function fieldName(headerBlock: string): string {
  for (const line of headerBlock.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon < 0 || line.slice(0, colon).trim().toLowerCase() !== 'content-disposition') continue;
    const value = line.slice(colon + 1).trim();
    if (!/^form-data\s*(;|$)/i.test(value)) throw new FormError('a part is not form-data');
    const name = dispositionParam(value, 'name');
    if (name === undefined || name === '') throw new FormError('a part has no field name');
    return name;
  }
  throw new FormError('a part has no Content-Disposition');
}

function text(bytes: Buffer): string {
  try {
    return utf8.decode(bytes);
  } catch {
    throw new FormError('a field is not UTF-8 text');
  }
}

/**
 * The fields of a multipart body; a name given twice keeps its last value (as for urlencoded forms).
 * Throws `FormError` for a malformed body or one over the limits.
 */
export function parseMultipartForm(
  body: Buffer,
  boundary: string,
  limits: FormLimits,
): Record<string, string> {
  const delimiter = Buffer.from(`--${boundary}`);
  const next = Buffer.from(`\r\n--${boundary}`);
  const fields: Record<string, string> = Object.create(null);
  let count = 0;
  // The first delimiter opens the body (a preamble before it is allowed and ignored).
  const opensBody = body.subarray(0, delimiter.length).equals(delimiter);
  const first = opensBody ? 0 : body.indexOf(next);
  if (first < 0) throw new FormError('no part found');
  let at = first + (opensBody ? delimiter.length : next.length);
  for (;;) {
    if (body[at] === 0x2d && body[at + 1] === 0x2d) break; // "--": the closing delimiter
    // Transport padding, then the line break that ends the delimiter line.
    while (body[at] === 0x20 || body[at] === 0x09) at++;
    if (!body.subarray(at, at + 2).equals(CRLF)) throw new FormError('malformed delimiter line');
    at += 2;
    const end = body.indexOf(next, at);
    if (end < 0) throw new FormError('the body ends before its closing boundary');
    if (++count > limits.maxFields) throw new FormError(`more than ${limits.maxFields} fields`);
    const part = body.subarray(at, end);
    const split = part.subarray(0, 2).equals(CRLF) ? 0 : part.indexOf(HEADER_END);
    if (split < 0) throw new FormError('a part has no header block');
    const name = fieldName(part.subarray(0, split).toString('latin1'));
    const content = part.subarray(split === 0 ? 2 : split + HEADER_END.length);
    if (content.length > limits.maxFieldBytes)
      throw new FormError(`a field is longer than ${limits.maxFieldBytes} bytes`);
    fields[name] = text(content);
    at = end + next.length;
  }
  return { ...fields };
}
