// The operator's compliance settings per client (issue 9): its calling-hours profile, and Ofcom's 24-hour machine
// rule, which can be switched off only with a written reason. Under /api/admin, with the operator token.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { adminAuthHook } from '../plugins/auth.js';
import { ClientIdParams, errorResponses } from '../schemas/common.js';
import { notFound, validationProblem } from '../problem.js';
import { DEFAULT_CALLING_HOURS, HOLIDAY_REGIONS_TEXT, readCallingHours } from '../../domain/compliance/calling-hours.js';
import type { ClientCompliance } from '../../store/repositories/compliance.js';

const tags = ['Operator'];
const security = [{ bearerAuth: [] }];

const Interval = Type.Object({ start: Type.String({ description: 'HH:mm' }), finish: Type.String({ description: 'HH:mm' }) });
export const CallingHoursSchema = Type.Object(
  {
    weekdays: Type.Record(Type.String(), Type.Array(Interval), { description: 'monday..sunday -> allowed intervals (empty: no calls that day)' }),
    holidays: Type.Array(Type.String(), { description: `Bank holidays without calls: ${HOLIDAY_REGIONS_TEXT}` }),
    excludedDates: Type.Array(Type.String({ description: 'YYYY-MM-DD' })),
  },
  { description: 'A calling-hours profile, on the wall clock of each campaign\'s time zone' },
);

const ComplianceSettingsSchema = Type.Object({
  callingHours: CallingHoursSchema,
  callingHoursIsDefault: Type.Boolean({ description: 'No profile of its own: the default (Mon-Fri 08:00-21:00, Sat 09:00-21:00, no Sundays or bank holidays)' }),
  machineRule: Type.Object({
    on: Type.Boolean({ description: "Ofcom's rule: no repeat call within 24 hours after an answering machine that got no message" }),
    offReason: Type.Union([Type.String(), Type.Null()]),
  }),
});

const MachineRuleBody = Type.Object(
  {
    on: Type.Boolean(),
    reason: Type.Optional(Type.String({ maxLength: 1000, description: 'Required (10+ characters) to switch the rule off; kept and shown' })),
  },
  { additionalProperties: false },
);

const MIN_REASON_CHARS = 10;

const view = (settings: ClientCompliance) => ({
  callingHours: settings.callingHours,
  callingHoursIsDefault: settings.callingHoursIsDefault,
  machineRule: { on: settings.machineRuleOffReason === null, offReason: settings.machineRuleOffReason },
});

export const complianceAdminRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { compliance, settings } = app.services;
  app.addHook('onRequest', adminAuthHook(settings.ADMIN_TOKEN));
  const settingsOf = async (clientId: number) => {
    const found = await compliance.clientSettings(clientId);
    if (!found) throw notFound(`Client ${clientId} does not exist.`);
    return found;
  };

  app.get(
    '/clients/:clientId/compliance',
    { schema: { tags, security, summary: "A client's compliance settings", params: ClientIdParams, response: { 200: ComplianceSettingsSchema, ...errorResponses(401, 403, 404) } } },
    async (request) => view(await settingsOf(request.params.clientId)),
  );

  app.put(
    '/clients/:clientId/calling-hours',
    {
      schema: {
        tags,
        security,
        summary: "Set a client's calling-hours profile (fields left out keep the default's; null: back to the default)",
        params: ClientIdParams,
        body: Type.Union([Type.Object({}, { additionalProperties: true }), Type.Null()]),
        response: { 200: ComplianceSettingsSchema, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const { clientId } = request.params;
      await settingsOf(clientId);
      if (request.body === null) {
        await compliance.setCallingHours(clientId, null);
      } else {
        const read = readCallingHours(request.body, DEFAULT_CALLING_HOURS, 'callingHours');
        if (!read.ok) throw validationProblem(read.errors);
        await compliance.setCallingHours(clientId, read.profile);
      }
      return view(await settingsOf(clientId));
    },
  );

  app.put(
    '/clients/:clientId/machine-rule',
    {
      schema: {
        tags,
        security,
        summary: "Switch Ofcom's 24-hour rule after an answering machine on or off for a client (off needs a reason)",
        params: ClientIdParams,
        body: MachineRuleBody,
        response: { 200: ComplianceSettingsSchema, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const { clientId } = request.params;
      await settingsOf(clientId);
      const { on, reason } = request.body;
      if (!on && (reason ?? '').trim().length < MIN_REASON_CHARS) {
        throw validationProblem({ reason: [`Say why the rule is switched off (at least ${MIN_REASON_CHARS} characters); the reason is kept and shown.`] });
      }
      await compliance.setMachineRuleOffReason(clientId, on ? null : reason!.trim());
      return view(await settingsOf(clientId));
    },
  );
};
