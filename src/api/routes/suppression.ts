// Do-not-call lists over HTTP (issue 9): the client's own list at /api/suppression; the operator's list, any
// client's list and the TPS/CTPS registers under /api/admin. Uploads are JSON ({"numbers": [...]}) or text/csv and
// text/plain, which are read as a stream line by line, so a file of millions of numbers never sits in memory.
import { Readable } from 'node:stream';
import { createInterface } from 'node:readline';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type, type TObject } from '@sinclair/typebox';
import { adminAuthHook, clientAuthHook } from '../plugins/auth.js';
import { errorResponses } from '../schemas/common.js';
import {
  NumberParams,
  RegisterImportQuery,
  SuppressionChangeSchema,
  SuppressionCheckSchema,
  SuppressionPageQuery,
  SuppressionPageSchema,
} from '../schemas/suppression.js';
import { notFound, validationProblem } from '../problem.js';
import { checkCalleeNumber } from '../../domain/phone-number.js';
import type { ListRef } from '../../store/repositories/suppression.js';
import { importSuppressionLines, type ImportResult } from '../../tenancy/suppression-import.js';

const UPLOAD_MEDIA_TYPES = ['text/csv', 'text/plain'];
const UPLOAD_HELP = 'Send {"numbers": ["07722 123456", ...], "reason": "..."} as JSON, or one number per line as text/csv or text/plain.';

interface ListRoutesOptions {
  tags: string[];
  security?: { [name: string]: string[] }[];
  /** Path parameters of `base` (a client id), merged into each route's params. */
  baseParams?: TObject;
  /** The list a request works on; throws notFound for a client that does not exist. */
  list(request: FastifyRequest): Promise<ListRef>;
  /** The lists a number is checked against at this path. */
  checked(request: FastifyRequest): Promise<ListRef[]>;
  /** Register imports (TPS, CTPS): POST takes downloadedAt and replace. */
  register?: boolean;
}

/** The text/csv and text/plain bodies stay streams: the handler reads them line by line. */
function acceptUploads(app: FastifyInstance): void {
  app.addContentTypeParser(UPLOAD_MEDIA_TYPES, (_request, payload, done) => done(null, payload));
}

function linesOf(body: unknown): { lines: AsyncIterable<string> | Iterable<string>; firstLine: number; reason: string | null } {
  if (body instanceof Readable) return { lines: createInterface({ input: body, crlfDelay: Number.POSITIVE_INFINITY }), firstLine: 1, reason: null };
  if (typeof body === 'object' && body !== null && Array.isArray((body as { numbers?: unknown }).numbers)) {
    const { numbers, reason } = body as { numbers: unknown[]; reason?: unknown };
    return { lines: numbers.map((n) => (typeof n === 'string' ? n : JSON.stringify(n) ?? '')), firstLine: 0, reason: typeof reason === 'string' ? reason.slice(0, 500) : null };
  }
  throw validationProblem({ numbers: [UPLOAD_HELP] });
}

function e164Of(text: string): string {
  const check = checkCalleeNumber(text);
  if (!check.ok) throw validationProblem({ number: [check.message] });
  return check.number.e164;
}

function listRoutes(app: FastifyInstance, base: string, options: ListRoutesOptions): void {
  const suppression = app.services.suppression;
  const { clock } = app.services;
  const schemaBase = { tags: options.tags, ...(options.security ? { security: options.security } : {}) };
  const params = (extra?: TObject) =>
    options.baseParams || extra ? Type.Object({ ...(options.baseParams?.properties ?? {}), ...(extra?.properties ?? {}) }) : undefined;
  const withParams = (extra?: TObject) => {
    const p = params(extra);
    return p ? { params: p } : {};
  };

  app.get(
    base,
    {
      schema: {
        ...schemaBase,
        summary: 'A page of the do-not-call list',
        ...withParams(),
        querystring: SuppressionPageQuery,
        response: { 200: SuppressionPageSchema, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const ref = await options.list(request);
      const { pageIndex, pageSize } = request.query as { pageIndex: number; pageSize: number };
      const [info, page] = await Promise.all([suppression.info(ref), suppression.page(ref, pageSize, pageIndex)]);
      return {
        kind: ref.kind,
        numberCount: info.numberCount,
        downloadedAt: info.downloadedAt?.toISOString() ?? null,
        pageIndex,
        totalPages: Math.ceil(page.totalRecords / pageSize),
        totalRecords: page.totalRecords,
        items: page.items.map((item) => ({ ...item, addedAt: item.addedAt.toISOString() })),
      };
    },
  );

  const change = (mode: 'add' | 'remove') => async (request: FastifyRequest): Promise<ImportResult & { removedByRefresh?: number }> => {
    const ref = await options.list(request);
    const { lines, firstLine, reason: bodyReason } = linesOf(request.body);
    const now = clock.now();
    const query = (request.query ?? {}) as { downloadedAt?: string; replace?: boolean; reason?: string };
    const refresh = mode === 'add' && options.register === true && query.replace !== false;
    const result = await importSuppressionLines(
      lines,
      {
        repository: suppression,
        list: ref,
        mode,
        source: options.register ? 'import' : request.body instanceof Readable ? 'upload' : 'api',
        reason: bodyReason ?? (typeof query.reason === 'string' ? query.reason.slice(0, 500) : null),
        now,
        refresh,
      },
      firstLine,
    );
    if (!options.register) return result;
    const removedByRefresh = refresh ? await suppression.finishRefresh(ref, now) : 0;
    if (query.downloadedAt) await suppression.setDownloadedAt(ref, new Date(`${query.downloadedAt}T00:00:00Z`));
    return { ...result, removedByRefresh };
  };

  app.post(
    base,
    {
      schema: {
        ...schemaBase,
        summary: options.register
          ? 'Import the register file (one number per line, text/plain or text/csv; or JSON {"numbers": [...]})'
          : 'Add numbers to the do-not-call list (JSON {"numbers": [...], "reason"}, or text/csv / text/plain, streamed)',
        ...withParams(),
        ...(options.register ? { querystring: RegisterImportQuery } : { querystring: Type.Object({ reason: Type.Optional(Type.String({ maxLength: 500 })) }) }),
        response: { 200: SuppressionChangeSchema, ...errorResponses(400, 401, 403, 404, 415) },
      },
    },
    change('add'),
  );

  app.post(
    `${base}/remove`,
    {
      schema: {
        ...schemaBase,
        summary: 'Remove numbers from the do-not-call list (same bodies as adding)',
        ...withParams(),
        response: { 200: SuppressionChangeSchema, ...errorResponses(400, 401, 403, 404, 415) },
      },
    },
    change('remove'),
  );

  app.delete(
    `${base}/:number`,
    { schema: { ...schemaBase, summary: 'Remove one number', ...withParams(NumberParams), response: { 204: Type.Null(), ...errorResponses(400, 401, 403, 404) } } },
    async (request, reply) => {
      const ref = await options.list(request);
      const e164 = e164Of((request.params as { number: string }).number);
      if ((await suppression.remove(ref, [e164], clock.now())) === 0) throw notFound(`${e164} is not on this list.`);
      return reply.code(204).send();
    },
  );

  app.get(
    `${base}/check/:number`,
    {
      schema: {
        ...schemaBase,
        summary: 'Whether a number is on a list that applies here',
        ...withParams(NumberParams),
        response: { 200: SuppressionCheckSchema, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const refs = await options.checked(request);
      const e164 = e164Of((request.params as { number: string }).number);
      const lists = (await suppression.lookup(refs, [e164])).get(e164) ?? [];
      return { number: e164, suppressed: lists.length > 0, lists };
    },
  );
}

/** A client's own list, at /api/suppression. */
export const clientSuppressionRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.addHook('onRequest', clientAuthHook(app.services.tenants));
  acceptUploads(app);
  listRoutes(app, '', {
    tags: ['Do-not-call list'],
    list: async (request) => ({ kind: 'client', clientId: request.clientId }),
    checked: async (request) => [{ kind: 'client', clientId: request.clientId }, { kind: 'operator' }, { kind: 'tps' }, { kind: 'ctps' }],
  });
};

/** The operator's lists under /api/admin: its own, each client's, and the TPS and CTPS registers. */
export const operatorSuppressionRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { tenants, settings } = app.services;
  app.addHook('onRequest', adminAuthHook(settings.ADMIN_TOKEN));
  acceptUploads(app);
  const tags = ['Operator'];
  const security = [{ bearerAuth: [] }];
  const registers: ListRef[] = [{ kind: 'operator' }, { kind: 'tps' }, { kind: 'ctps' }];
  listRoutes(app, '/suppression', { tags, security, list: async () => ({ kind: 'operator' }), checked: async () => registers });
  for (const kind of ['tps', 'ctps'] as const) {
    listRoutes(app, `/${kind}`, { tags, security, register: true, list: async () => ({ kind }), checked: async () => [{ kind }] });
  }
  const clientList = async (request: FastifyRequest): Promise<ListRef> => {
    const clientId = (request.params as { clientId: number }).clientId;
    if (!(await tenants.getClient(clientId))) throw notFound(`Client ${clientId} does not exist.`);
    return { kind: 'client', clientId };
  };
  listRoutes(app, '/clients/:clientId/suppression', {
    tags,
    security,
    baseParams: Type.Object({ clientId: Type.Integer({ minimum: 1, maximum: 2147483647 }) }),
    list: clientList,
    checked: async (request) => [await clientList(request), ...registers],
  });
};
