import type { FastifyInstance } from 'fastify';
import { LimitedLog } from '../server/limited-log.js';
import { FormError, type FormLimits, multipartBoundary, parseMultipartForm } from './multipart-form.js';

/**
 * Accepts `multipart/form-data` request bodies as forms: every route that takes a urlencoded form
 * takes the same fields as multipart (src/http/multipart-form.ts). Refused bodies answer 400 and
 * are logged at most once a minute.
 */
export function registerMultipartForms(app: FastifyInstance, limits: FormLimits): void {
  const refusals = new LimitedLog();
  app.addContentTypeParser(
    'multipart/form-data',
    { parseAs: 'buffer', bodyLimit: 64 * 1024 },
    (request, body, done) => {
      try {
        const boundary = multipartBoundary(request.headers['content-type']);
        done(null, parseMultipartForm(body as Buffer, boundary, limits));
      } catch (err) {
        if (!(err instanceof FormError)) throw err;
        refusals.event((suppressed) =>
          request.log.info({ address: request.ip, reason: err.reason, suppressed }, 'multipart form refused'),
        );
        done(err, undefined);
      }
    },
  );
}
