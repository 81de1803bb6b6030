import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { moduleBroker } from '../../cli/admin/module-setup.js';
import type { RouteDeps } from '../app.js';
import { dashboardCsp } from '../security-headers.js';
import { sendText, TEXT } from '../text.js';

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.json': 'application/json; charset=utf-8',
};

/**
 * Where the built dashboard is: dist/web of the package, found from src/http/routes (tests, tsx)
 * and from dist/http/routes (installed package). Undefined when it was not built.
 */
export function webRoot(): string | undefined {
  const here = fileURLToPath(new URL('.', import.meta.url));
  const candidates = [join(here, '../../web'), join(here, '../../../dist/web')];
  return candidates.find((dir) => existsSync(join(dir, 'index.html')));
}

function escapeAttribute(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
}

/** The web dashboard: index.html at / (with the server's map tile setting) and its hashed assets. */
export async function webRoutes(app: FastifyInstance, deps: RouteDeps): Promise<void> {
  const root = webRoot();
  if (!root) {
    deps.log.warn('web dashboard not built (npm run build:web): / serves a hint only');
    app.get('/', async (_request, reply) =>
      sendText(
        reply,
        200,
        'ovms-server: the web dashboard is not built (npm run build:web); the API is at /api',
      ),
    );
    return;
  }
  // What the dashboard needs to know of the server: map tiles and the ports to give the module.
  const settings = JSON.stringify({
    tiles: deps.config.http.mapTiles,
    port: deps.config.port,
    tlsPort: deps.config.tls.cert ? deps.config.tlsPort : 0,
    // Where v3 modules connect; host '' is the page's own host (the name the owner reached us by).
    broker: moduleBroker('', {
      ...deps.config.mqtt,
      tlsPort: deps.config.tls.cert ? deps.config.mqtt.tlsPort : 0,
    }),
  });
  const index = readFileSync(join(root, 'index.html'), 'utf8').replace(
    '<meta name="ovms-config" content="{}">',
    `<meta name="ovms-config" content="${escapeAttribute(settings)}">`,
  );
  const csp = dashboardCsp(deps.config.http.mapTiles);
  const sendIndex = async (_request: unknown, reply: import('fastify').FastifyReply) =>
    reply
      .type('text/html; charset=utf-8')
      .header('cache-control', 'no-cache')
      .header('content-security-policy', csp)
      .header('referrer-policy', 'same-origin')
      .send(index);
  app.get('/', sendIndex);
  app.get('/index.html', sendIndex);
  const assets = join(root, 'assets');
  app.get('/assets/*', async (request, reply) => {
    const name = (request.params as { '*': string })['*'];
    const file = normalize(join(assets, name));
    if (!file.startsWith(assets + sep)) return sendText(reply, 404, TEXT.notFound);
    let body: Buffer;
    try {
      body = await readFile(file);
    } catch {
      return sendText(reply, 404, TEXT.notFound);
    }
    return reply
      .type(TYPES[extname(file)] ?? 'application/octet-stream')
      .header('cache-control', 'public, max-age=31536000, immutable')
      .send(body);
  });
}
