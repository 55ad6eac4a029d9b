// GET /api/sms/kannel/dlr: Kannel's smsbox fetches the dlr-url Ringcast gave each text (src/sms/kannel/dlr-url.ts)
// when a delivery report comes in. Registered only with SMS_PROVIDER=kannel.
//
// Authentication: not a client's or the operator's request, so no API key: the URL's token, HMAC-SHA256 of the
// message id under KANNEL_DLR_SECRET (src/sms/kannel/dlr-token.ts), checked in constant time; a wrong one is a 403
// and changes nothing. The plugin adds no auth hook (like /healthz); the rate limiter skips it (no client), and the
// audit log covers changing methods only, so this GET (Kannel's dlr-url method) is not an audited client action:
// the text's status and its time are its record.
//
// Answers: 200 at once when the report changes nothing (Kannel's "accepted by the SMSC", type 8); 200 after the
// receipt is written (SmsPartsStore.applyReceipt) to the text's one receipt row (kannel-provider.ts says why one);
// 202 for an id no text has been handed over with yet: a report can overtake the write of Kannel's answer, and the
// token proves Ringcast issued the id, so the receipt is kept (sms_receipts_early) and applied by the hand-over.
//
// A failure is not undone: when the SMSC refuses part 2 of a long text, Kannel reports the whole text refused (16)
// at once, and part 1's handset receipt (1, delivered) can still come later; the text stays failed then (the rule is
// receiptReplaces, applied by SmsPartsStore.applyReceipt for every provider).
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { errorResponses } from '../schemas/common.js';
import { HttpProblem } from '../problem.js';
import type { Db } from '../../store/database.js';
import { SmsPartsStore } from '../../store/repositories/sms-parts-store.js';
import { dlrTokenValid } from '../../sms/kannel/dlr-token.js';
import { dlrOutcome } from '../../sms/kannel/dlr-report.js';
import { KANNEL_PROVIDER_NAME } from '../../sms/kannel/kannel-provider.js';

const DlrQuery = Type.Object({
  id: Type.String({ format: 'uuid', description: "Ringcast's id of the text (a UUID)" }),
  token: Type.String({ minLength: 1, maxLength: 100, description: 'HMAC-SHA256(KANNEL_DLR_SECRET, id), base64url' }),
  type: Type.Integer({ minimum: 0, maximum: 255, description: "Kannel's report type (%d): 1 delivered, 2 undelivered, 8 SMSC accepted, 16 SMSC refused" }),
  status: Type.Optional(Type.String({ maxLength: 2000, description: "The SMSC's reply (%A), e.g. an SMPP receipt text" })),
  at: Type.Optional(Type.String({ pattern: '^[0-9]{0,12}$', description: "The report's Unix time (%T); may be empty" })),
});

const DlrAnswer = Type.Object({
  result: Type.Union([Type.Literal('recorded'), Type.Literal('no-change'), Type.Literal('kept')], {
    description: 'kept: no text has been handed over with this id yet; the report is applied when it is',
  }),
  textStatus: Type.Optional(Type.String({ description: "The text's status after this report" })),
});

export const kannelDlrRoutes: FastifyPluginAsyncTypebox<{ db: Db }> = async (app, options) => {
  const { settings, clock } = app.services;
  if (settings.SMS_PROVIDER !== 'kannel') return;
  // loadSettings refuses SMS_PROVIDER=kannel without it.
  const secret = settings.KANNEL_DLR_SECRET!;
  const parts = new SmsPartsStore(options.db);

  app.get(
    '/dlr',
    {
      schema: {
        hide: true,
        summary: "Kannel's delivery report for a text (the dlr-url; authenticated by its token)",
        querystring: DlrQuery,
        response: { 200: DlrAnswer, 202: DlrAnswer, ...errorResponses(400, 403) },
      },
    },
    async (request, reply) => {
      const { id, token, type, status } = request.query;
      if (!dlrTokenValid(secret, id, token)) throw new HttpProblem(403, 'forbidden', 'The delivery report token does not match its id.');
      const outcome = dlrOutcome(type, status);
      if (!outcome.change) return { result: 'no-change' as const };
      const atS = request.query.at ? Number(request.query.at) : 0;
      const at = atS > 0 ? new Date(atS * 1000) : clock.now();
      const applied = await parts.applyReceipt({ provider: KANNEL_PROVIDER_NAME, providerMessageId: id, state: outcome.state, error: outcome.error, at });
      if (applied === undefined) return reply.code(202).send({ result: 'kept' as const });
      // A delivered report after a failure changes nothing (receiptReplaces, decided under the part's lock).
      if (!applied.changed) return { result: 'no-change' as const };
      return { result: 'recorded' as const, textStatus: applied.textStatus };
    },
  );
};
