import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { parseSince } from '../../server/server-commands.js';
import { historyPages } from '../../store/history-reader.js';
import type { RouteDeps } from '../app.js';
import { vehicleOf } from '../context.js';
import { jsonArrayStream } from '../json.js';
import { errors, HistoryQuery, HistoryRecordList, HistoryRecordRow, HistorySummaryList } from '../schemas.js';
import { sendText } from '../text.js';
import { READ_VEHICLE } from '../vehicle-access.js';
import { historyRecordsView, historySummaryView } from '../views/records.js';

function since(text: string | undefined): Date | undefined | 'invalid' {
  if (text === undefined || text.trim() === '') return undefined;
  return parseSince(text) ?? 'invalid';
}

/**
 * /api/historical/<id> (summary per record type) and /api/historical/<id>/<type> (records, streamed
 * page by page: any number of records without holding them, docs/http-api.md).
 */
export async function historicalRoutes(app: FastifyInstance, deps: RouteDeps): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const config = READ_VEHICLE;

  r.get(
    '/api/historical/:vehicleId',
    {
      config,
      schema: {
        summary: 'Historical data: one summary row per record type',
        tags: ['data'],
        params: Type.Object({ vehicleId: Type.String({ minLength: 1, maxLength: 32 }) }),
        querystring: HistoryQuery,
        response: { 200: HistorySummaryList, ...errors(400, 401, 403) },
      },
    },
    async (request, reply) => {
      const after = since(request.query.since);
      if (after === 'invalid') return sendText(reply, 400, 'Bad request: since is not a time');
      return historySummaryView(await deps.store.historySummary(vehicleOf(request), after));
    },
  );

  r.get(
    '/api/historical/:vehicleId/:type',
    {
      config,
      schema: {
        summary: 'Historical data: the records of one type',
        tags: ['data'],
        params: Type.Object({
          vehicleId: Type.String({ minLength: 1, maxLength: 32 }),
          type: Type.String({ minLength: 1, maxLength: 32 }),
        }),
        querystring: HistoryQuery,
        response: { 200: HistoryRecordList, ...errors(400, 401, 403) },
      },
    },
    async (request, reply) => {
      const after = since(request.query.since);
      if (after === 'invalid') return sendText(reply, 400, 'Bad request: since is not a time');
      // Streamed a page at a time (the same bytes as one JSON array), as fast as the client reads.
      const pages = historyPages(deps.store, vehicleOf(request), request.params.type, after);
      const views = (async function* () {
        for await (const page of pages) yield historyRecordsView(page);
      })();
      const body = await jsonArrayStream(views, HistoryRecordRow, `GET ${request.routeOptions.url}`);
      body.on('error', (err) => request.log.error({ err }, 'historical records stream failed'));
      // A stream skips the serialiser; its rows were checked against the row schema above.
      return reply.type('application/json; charset=utf-8').send(body as never);
    },
  );
}
