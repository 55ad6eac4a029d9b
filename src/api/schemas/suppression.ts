// Do-not-call list schemas (issue 9), for the client's list and the operator's lists alike.
import { Type } from '@sinclair/typebox';
import { SUPPRESSION_LIST_KINDS } from '../../domain/compliance/suppression.js';

const ListKind = Type.Union(SUPPRESSION_LIST_KINDS.map((kind) => Type.Literal(kind)));

export const MAX_SUPPRESSION_PAGE_SIZE = 1000;

export const SuppressionPageQuery = Type.Object({
  pageIndex: Type.Integer({ minimum: 1, maximum: 2147483647, default: 1, description: '1-based page number' }),
  pageSize: Type.Integer({ minimum: 1, maximum: MAX_SUPPRESSION_PAGE_SIZE, default: 100, description: `Numbers per page, at most ${MAX_SUPPRESSION_PAGE_SIZE}` }),
});

export const SuppressionPageSchema = Type.Object({
  kind: ListKind,
  numberCount: Type.Integer(),
  downloadedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()], { description: 'TPS/CTPS: when the imported file was downloaded' }),
  pageIndex: Type.Integer(),
  totalPages: Type.Integer(),
  totalRecords: Type.Integer(),
  items: Type.Array(
    Type.Object({
      number: Type.String({ description: 'E.164' }),
      source: Type.String({ description: 'api, upload, opt-out or import' }),
      reason: Type.Union([Type.String(), Type.Null()]),
      addedAt: Type.String({ format: 'date-time' }),
    }),
  ),
});

export const NumberParams = Type.Object({ number: Type.String({ minLength: 1, maxLength: 64, description: 'A phone number in any usual form' }) });

export const SuppressionChangeSchema = Type.Object({
  lines: Type.Integer({ description: 'Lines (or array items) read' }),
  changed: Type.Integer({ description: 'Numbers added to the list (removal: taken off it)' }),
  unchanged: Type.Integer({ description: 'Valid numbers already listed, repeated, or (removal) not listed' }),
  invalid: Type.Integer({ description: 'Lines that are not a callable number' }),
  invalidLines: Type.Array(
    Type.Object({ line: Type.Integer({ description: '1-based line (JSON: 0-based index)' }), value: Type.String(), message: Type.String() }),
    { description: 'The first 100 invalid lines' },
  ),
  removedByRefresh: Type.Optional(Type.Integer({ description: 'Register import with replace: numbers the new file no longer lists' })),
});

export const SuppressionCheckSchema = Type.Object({
  number: Type.String({ description: 'E.164' }),
  suppressed: Type.Boolean(),
  lists: Type.Array(Type.Object({ kind: ListKind, reason: Type.Union([Type.String(), Type.Null()]) })),
});

export const RegisterImportQuery = Type.Object({
  downloadedAt: Type.String({ format: 'date', description: 'The date the TPS/CTPS file was downloaded (YYYY-MM-DD)' }),
  replace: Type.Boolean({ default: true, description: 'The file is the whole register: numbers it does not list are removed once it is in' }),
});
