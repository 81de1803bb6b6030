import type { FastifyReply } from 'fastify';

/** Plain-text replies, as the reference sends every error: the text and a newline. */
export function sendText(reply: FastifyReply, status: number, text: string): FastifyReply {
  return reply
    .code(status)
    .type('text/plain; charset=utf-8')
    .send(text === '' ? '' : `${text}\n`);
}

/** The reference's texts, which clients match on. */
export const TEXT = {
  authFailed: 'Authentication failed',
  insufficientRights: 'Insufficient rights',
  forbidden: 'Forbidden',
  unrecognised: 'Unrecognised API call',
  notFound: 'not found',
  paranoid: 'Paranoid vehicles not supported by api',
  loginOk: 'Login ok',
  logoutOk: 'Logout ok',
  disconnectOk: 'Disconnect OK',
  tokenMissing: 'Token not specified',
  tooMany: 'Too many requests',
  crossOrigin: 'Cross-origin request refused',
  offline: 'Vehicle not connected',
  timeout: 'Vehicle did not answer in time',
  busy: "Too many commands awaiting the vehicle's reply",
  /** 404 for a cookie naming no live session (ovms-hass logs in again on a 404, not on a 401). */
  sessionExpired: 'Session expired',
} as const;
