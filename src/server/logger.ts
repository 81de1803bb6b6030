import { type Logger, pino } from 'pino';

/**
 * Structured logs (JSON lines to stdout). Secrets are never passed to the logger; the redaction
 * list is a second line of defence for fields that might one day carry one by mistake.
 */
export const REDACTED_KEYS = [
  'password',
  'secret',
  'token',
  'digest',
  'key',
  'pin',
  'passwordHash',
  'cookie',
  'authorization',
];

export function createLogger(opts: {
  level: string;
  pretty?: boolean;
  destination?: NodeJS.WritableStream;
}): Logger {
  const redact = {
    paths: [...REDACTED_KEYS, ...REDACTED_KEYS.map((k) => `*.${k}`)],
    censor: '[redacted]',
  };
  if (opts.pretty && !opts.destination) {
    return pino({
      level: opts.level,
      redact,
      transport: { target: 'pino-pretty', options: { colorize: true, translateTime: 'SYS:standard' } },
    });
  }
  return pino({ level: opts.level, redact, base: undefined }, opts.destination ?? process.stdout);
}
