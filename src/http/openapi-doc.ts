import type { RouteOptions } from 'fastify';

type Schema = Record<string, unknown>;

/** Fastify's `/api/x/:id` to OpenAPI's `/api/x/{id}`. */
export function openApiPath(url: string): string {
  return url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}

/** A TypeBox schema as plain JSON (drops TypeBox's symbol keys). */
function plain(schema: unknown): Schema {
  return JSON.parse(JSON.stringify(schema)) as Schema;
}

function parameters(schema: unknown, where: 'path' | 'query'): Schema[] {
  if (!schema) return [];
  const s = plain(schema) as { properties?: Record<string, Schema>; required?: string[] };
  return Object.entries(s.properties ?? {}).map(([name, prop]) => {
    const { description, ...rest } = prop;
    return {
      name,
      in: where,
      required: where === 'path' || (s.required ?? []).includes(name),
      ...(description ? { description } : {}),
      schema: rest,
    };
  });
}

function response(schema: unknown): Schema {
  const s = plain(schema);
  const description = typeof s.description === 'string' ? s.description : 'Reply';
  const isText = s.type === 'string';
  const mediaType = isText ? String(s.contentMediaType ?? 'text/plain') : 'application/json';
  return { description, content: { [mediaType]: { schema: s } } };
}

const SECURITY_SCHEMES = {
  cookie: {
    type: 'apiKey',
    in: 'cookie',
    name: 'ovmsapisession',
    description: 'Session from GET /api/cookie',
  },
  bearer: { type: 'http', scheme: 'bearer', description: 'An API token' },
  username: {
    type: 'apiKey',
    in: 'query',
    name: 'username',
    description: 'Owner name; goes with `password` (the owner password or an API token) in the query string',
  },
  password: { type: 'apiKey', in: 'query', name: 'password', description: 'Owner password or API token' },
};

/** The OpenAPI 3.1 document of the registered routes (their TypeBox schemas, converted as they are). */
export function buildOpenApi(routes: readonly RouteOptions[], version: string): Schema {
  const paths: Record<string, Record<string, Schema>> = {};
  for (const route of routes) {
    const methods = (Array.isArray(route.method) ? route.method : [route.method]).filter(
      (m) => m !== 'HEAD' && m !== 'OPTIONS',
    );
    const schema = route.schema as Record<string, unknown> | undefined;
    if (!schema || methods.length === 0 || route.url.includes('*')) continue;
    const config = (route.config ?? {}) as { auth?: boolean; rights?: string[] };
    const body = schema.body ? plain(schema.body) : undefined;
    const operation: Schema = {
      summary: schema.summary,
      ...(schema.description ? { description: schema.description } : {}),
      tags: schema.tags,
      parameters: [...parameters(schema.params, 'path'), ...parameters(schema.querystring, 'query')],
      ...(body
        ? {
            requestBody: {
              required: Array.isArray(body.required) && body.required.length > 0,
              content: {
                'application/json': { schema: body },
                'application/x-www-form-urlencoded': { schema: body },
              },
            },
          }
        : {}),
      responses: Object.fromEntries(
        Object.entries((schema.response ?? {}) as Record<string, unknown>).map(([code, s]) => [
          code,
          response(s),
        ]),
      ),
      ...(config.auth
        ? {
            security: [{ cookie: [] }, { bearer: [] }, { username: [], password: [] }],
            ...(config.rights?.length ? { 'x-rights': config.rights } : {}),
          }
        : { security: [] }),
    };
    const path = openApiPath(route.url);
    paths[path] ??= {};
    for (const method of methods) paths[path][method.toLowerCase()] = operation;
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'OVMS server HTTP API',
      version,
      description:
        'The Open Vehicle Monitoring System server API: compatible with the reference (Perl) server, plus ' +
        'vehicle control, generic commands and live streams. See docs/http-api.md.',
    },
    components: { securitySchemes: SECURITY_SCHEMES },
    paths,
  };
}

const esc = (s: unknown) =>
  String(s ?? '').replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

/** A self-contained HTML reference page (no scripts, no network) rendered from the document. */
export function renderOpenApiHtml(doc: Schema): string {
  const info = doc.info as { title: string; version: string; description: string };
  const paths = doc.paths as Record<string, Record<string, Schema>>;
  const sections: string[] = [];
  for (const [path, ops] of Object.entries(paths).sort(([a], [b]) => a.localeCompare(b))) {
    for (const [method, op] of Object.entries(ops)) {
      const params = (op.parameters as Schema[]).map(
        (p) =>
          `<li><code>${esc(p.name)}</code> (${esc(p.in)}${p.required ? ', required' : ''}) ${esc(p.description)}</li>`,
      );
      const body = op.requestBody as { content: Record<string, { schema: Schema }> } | undefined;
      const responses = Object.entries(op.responses as Record<string, Schema>).map(([code, r]) => {
        const content = r.content as Record<string, { schema: Schema }>;
        const [mediaType, media] = Object.entries(content)[0] ?? ['', { schema: {} }];
        const shape =
          mediaType === 'application/json' ? `<pre>${esc(JSON.stringify(media.schema, null, 1))}</pre>` : '';
        return `<li><b>${esc(code)}</b> ${esc(mediaType)}: ${esc(r.description)}${shape}</li>`;
      });
      const rights = op['x-rights'] as string[] | undefined;
      sections.push(
        `<section id="${esc(method)}-${esc(path)}"><h2><span class="m">${esc(method.toUpperCase())}</span> <code>${esc(path)}</code></h2>` +
          `<p>${esc(op.summary)}</p>${op.description ? `<p>${esc(op.description)}</p>` : ''}` +
          `<p>${(op.security as unknown[]).length === 0 ? 'No authentication.' : `Authentication: cookie, bearer token or username/password${rights ? `; rights: ${esc(rights.join(' or '))}` : ''}.`}</p>` +
          (params.length ? `<h3>Parameters</h3><ul>${params.join('')}</ul>` : '') +
          (body
            ? `<h3>Body</h3><pre>${esc(JSON.stringify(Object.values(body.content)[0]?.schema, null, 1))}</pre>`
            : '') +
          `<h3>Responses</h3><ul>${responses.join('')}</ul></section>`,
      );
    }
  }
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(info.title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}
section{border-top:1px solid #ccc;padding:.5rem 0}
h2{font-size:1.1rem}.m{display:inline-block;min-width:4.5rem;color:#fff;background:#357;padding:.1rem .4rem;border-radius:.2rem}
pre{background:#f4f4f4;padding:.5rem;overflow:auto;font-size:.8rem;max-height:20rem}
</style></head><body>
<h1>${esc(info.title)} <small>${esc(info.version)}</small></h1>
<p>${esc(info.description)}</p>
<p>Machine-readable: <a href="/api/openapi.json">/api/openapi.json</a> (OpenAPI ${esc(doc.openapi)}).</p>
${sections.join('\n')}
</body></html>
`;
}
