import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { ApiContext } from './context.js';

/** API answers are data, never a page: nothing may load, run or frame them. */
export const API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/**
 * Where map tiles come from, as a CSP source: the scheme and host of the `http.map_tiles` template,
 * a leading `{s}.` placeholder as `*.`; any other placeholder in the host leaves only the scheme.
 */
export function tileSource(template: string): string | undefined {
  const match = /^(https?):\/\/([^/?#]+)/i.exec(template);
  if (!match) return undefined;
  const scheme = match[1]!.toLowerCase();
  const host = match[2]!.replace(/^\{[^}]*\}\./, '*.');
  return /[{}]/.test(host) ? `${scheme}:` : `${scheme}://${host}`;
}

/**
 * The dashboard's policy: its own scripts, styles and API only (no inline code), images from itself,
 * `data:` (icons) and the tile server, and no framing.
 */
export function dashboardCsp(mapTiles: string): string {
  const tiles = tileSource(mapTiles);
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    `img-src 'self' data:${tiles ? ` ${tiles}` : ''}`,
    "connect-src 'self'",
    "font-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** A page whose only style is inline `<style>` blocks (the /api/docs page): those, by hash, and nothing else. */
export function inlineStyleCsp(html: string): string {
  const hashes = [...html.matchAll(/<style>([\s\S]*?)<\/style>/g)].map(
    (m) => `'sha256-${createHash('sha256').update(m[1]!, 'utf8').digest('base64')}'`,
  );
  return `default-src 'none'; style-src ${hashes.join(' ') || "'none'"}; frame-ancestors 'none'; base-uri 'none'; form-action 'none'`;
}

/**
 * Headers on every answer: no MIME sniffing, no framing, no referrer, the API's CSP (pages set their
 * own), and on HTTPS, or behind a proxy that ended TLS when `http.trust_proxy` lets it say so,
 * Strict-Transport-Security (`http.hsts_max_age`).
 */
export function registerSecurityHeaders(app: FastifyInstance, ctx: ApiContext): void {
  const hsts = ctx.config.http.hstsMaxAge;
  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-content-type-options', 'nosniff');
    reply.header('x-frame-options', 'DENY');
    reply.header('referrer-policy', 'no-referrer');
    reply.header('content-security-policy', API_CSP);
    if (hsts > 0 && request.protocol === 'https')
      reply.header('strict-transport-security', `max-age=${hsts}`);
  });
}
