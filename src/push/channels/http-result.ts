import type { SendResult } from '../types.js';

/** The usual meaning of an HTTP status for a push: 2xx sent, 429/5xx later, other 4xx never. */
export function httpResult(status: number, reason: string, retryAfter?: string | null): SendResult {
  if (status >= 200 && status < 300) return { status: 'delivered' };
  if (status === 429 || status >= 500 || status === 408) {
    const seconds = Number(retryAfter);
    return {
      status: 'retry',
      reason: `${status} ${reason}`.trim(),
      ...(Number.isFinite(seconds) && seconds > 0 ? { retryAfterMs: seconds * 1000 } : {}),
    };
  }
  return { status: 'failed', reason: `${status} ${reason}`.trim() };
}

/** fetch with a deadline; network errors become `retry` results. */
export async function post(
  url: string,
  init: { headers: Record<string, string>; body: string },
  timeoutMs = 15_000,
): Promise<Response> {
  return fetch(url, { method: 'POST', ...init, signal: AbortSignal.timeout(timeoutMs) });
}
