import type { AbrpTelemetry } from './telemetry.js';

/** What one `tlm/send` call came to. */
export type SendOutcome =
  | { kind: 'ok' }
  /** ABRP refused the token (HTTP 401/403): sending again with it is pointless. */
  | { kind: 'refused'; error: string }
  /** Worth another try later: no answer, a timeout, HTTP 408, 429 or 5xx. */
  | { kind: 'retry'; error: string }
  /** ABRP answered but did not take this telemetry (another 4xx, or `status: "error"`). */
  | { kind: 'failed'; error: string };

export interface SendRequest {
  url: string;
  apiKey: string;
  token: string;
  tlm: AbrpTelemetry;
  timeoutMs: number;
}

const MAX_DETAIL = 200;

/** Answer text fit for a log line and the owner's page: short, one line, no credentials. */
function detail(text: string, secrets: string[]): string {
  let clean = text.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
  for (const secret of secrets) if (secret) clean = clean.split(secret).join('…');
  return clean.length > MAX_DETAIL ? `${clean.slice(0, MAX_DETAIL)}…` : clean;
}

/**
 * Sends one telemetry record. A POST with the parameters in a form body (the API takes GET or POST,
 * URL-encoded): the token stays out of URLs that proxies log. Never throws.
 */
export async function sendTelemetry(req: SendRequest): Promise<SendOutcome> {
  const body = new URLSearchParams({ api_key: req.apiKey, token: req.token, tlm: JSON.stringify(req.tlm) });
  const secrets = [req.apiKey, req.token];
  let res: Response;
  let text: string;
  try {
    res = await fetch(req.url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'user-agent': 'ovms-server' },
      body,
      signal: AbortSignal.timeout(req.timeoutMs),
    });
    text = await res.text();
  } catch (err) {
    const e = err as Error;
    const why = e.name === 'TimeoutError' ? `no answer within ${req.timeoutMs} ms` : e.message;
    return { kind: 'retry', error: `ABRP unreachable: ${detail(why, secrets)}` };
  }
  const answer = `HTTP ${res.status}${text.trim() ? `: ${detail(text, secrets)}` : ''}`;
  if (res.status === 401 || res.status === 403)
    return { kind: 'refused', error: `ABRP refused the token (${answer})` };
  if (res.status === 408 || res.status === 429 || res.status >= 500)
    return { kind: 'retry', error: `ABRP failed (${answer})` };
  if (res.status !== 200) return { kind: 'failed', error: `ABRP did not take the telemetry (${answer})` };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { kind: 'failed', error: `ABRP answered with something other than JSON (${answer})` };
  }
  const status = (parsed as { status?: unknown } | null)?.status;
  if (status === 'ok') return { kind: 'ok' };
  return { kind: 'failed', error: `ABRP did not take the telemetry (${answer})` };
}
