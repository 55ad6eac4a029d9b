// Creating a campaign, as the JSON create (routes/campaigns.ts) and the CSV create (routes/campaign-csv.ts) both do it:
// the request's own rules (checkCampaignRequest), then the rules that need the database (do-not-call lists, ownership
// of the call flow and CLI, a unique name), all gathered so that one answer reports every failing field; then the
// insert, where two requests racing for one name are decided by the unique index.
import type { AppServices } from '../app.js';
import { checkCampaignRequestPausing, type CampaignCheck } from '../domain/campaign-request.js';
import { FieldErrorCollector } from '../domain/field-errors.js';
import type { FieldErrors } from '../domain/field-errors.js';
import { yieldToEventLoop } from '../domain/stepwise.js';
import { isUniqueViolation } from '../store/errors.js';
import { screenDoNotCall } from './do-not-call-screen.js';
import { HttpProblem, validationProblem } from './problem.js';
import { RETRY_AFTER_HEADER } from './schemas/limit-headers.js';
import { checkNumbersPerCampaign, QuotaExceeded, type ClientQuotas } from '../domain/limits/quotas.js';

export interface CampaignCreateInput {
  clientId: number;
  /** The body with canonical property names (perhaps not even an object); phoneNumbers as sent (a CSV's rows). */
  body: unknown;
  schemaErrors: FieldErrors;
  ignoreInvalid: boolean;
}

export interface CampaignCreateCheck {
  check: CampaignCheck;
  /** Every failing field, the request's own rules' and the database's. */
  errors: FieldErrorCollector;
  /** The message for a name already taken (a 400 at Name, found before the insert or by it). */
  nameTaken: () => string;
}

type CreateServices = Pick<AppServices, 'tenants' | 'compliance' | 'suppression' | 'campaigns' | 'clock'>;

export async function checkCampaignCreate(services: CreateServices, input: CampaignCreateInput): Promise<CampaignCreateCheck> {
  const { tenants, compliance, suppression, campaigns, clock } = services;
  const { clientId, schemaErrors, ignoreInvalid } = input;
  // The fields the database rules read; a body that is not an object has none (its own rule says so).
  const body: Record<string, unknown> = isPlainObject(input.body) ? input.body : {};
  // The countries this client may call beyond the UK (the operator sets them). The list is checked a chunk at a time,
  // so that a 100,000-number upload does not hold every other client's requests.
  const allowedCountries = (await tenants.getClient(clientId))?.allowedCountries ?? [];
  // The client's calling hours (the operator's profile, or the default): the campaign's days are cut to them,
  // narrowed by the request's own callingHours (issue 9).
  const clientCallingHours = (await compliance.clientSettings(clientId))?.callingHours;
  const check = await checkCampaignRequestPausing(
    { body: input.body, schemaErrors, now: clock.now(), ignoreInvalidPhoneNumbers: ignoreInvalid, allowedCountries, ...(clientCallingHours ? { clientCallingHours } : {}) },
    yieldToEventLoop,
  );
  // The rules that need the database run even when other fields failed, so that one response reports every field.
  const errors = new FieldErrorCollector();
  if (!check.ok) for (const [field, messages] of Object.entries(check.errors)) for (const m of messages) errors.add(field, m);
  // Do-not-call lists: a listed number is treated like an invalid one (dropped and listed, or a 400 at its path).
  if (check.ok) {
    const screened = await screenDoNotCall(
      suppression,
      { clientId, marketing: check.compliance.marketing, numbers: check.plan.numbers, leftOut: check.leftOut, sent: body.phoneNumbers, ignoreInvalid },
      errors,
    );
    check.plan.numbers = screened.numbers;
    check.leftOut = screened.leftOut;
  }
  if (Number.isInteger(body.callflow_Id) && !errors.has('CallFlow_Id') && !(await tenants.getCallFlow(clientId, body.callflow_Id as number))) {
    errors.add('CallFlow_Id', `Call flow ${body.callflow_Id} does not exist for this client (see GET /api/callflows).`);
  }
  if (Number.isInteger(body.defaultCli_Id) && !errors.has('DefaultCli_Id') && !(await tenants.getCli(clientId, body.defaultCli_Id as number))) {
    errors.add('DefaultCli_Id', `CLI ${body.defaultCli_Id} does not exist for this client (see GET /api/clis).`);
  }
  const name = check.ok ? check.plan.name : check.name;
  const nameTaken = () => `A campaign named "${name}" already exists.`;
  if (name !== undefined && (await campaigns.nameExists(clientId, name))) errors.add('Name', nameTaken());
  return { check, errors, nameTaken };
}

/** Stores a campaign that passed checkCampaignCreate within the client's quotas (at `now`); returns its id. */
export async function storeCampaign(
  campaigns: AppServices['campaigns'],
  clientId: number,
  checked: { check: Extract<CampaignCheck, { ok: true }>; nameTaken: () => string },
  quotas: ClientQuotas,
  now: Date,
): Promise<number> {
  try {
    checkNumbersPerCampaign(quotas, checked.check.plan.numbers.length);
    return await campaigns.create(clientId, checked.check.plan, checked.check.compliance, quotas, now);
  } catch (error) {
    if (error instanceof QuotaExceeded) throw quotaProblem(error);
    // Two requests racing for one name: the unique index decides, the loser gets the same 400.
    if (isUniqueViolation(error)) throw validationProblem({ Name: [checked.nameTaken()] });
    throw error;
  }
}

/**
 * A quota the request would pass, as the API answers it, naming the quota: 403 problem+json, or 429 with Retry-After
 * for a quota that refills (maxNumbersPerDay, at 00:00 UTC).
 */
function quotaProblem(error: QuotaExceeded): HttpProblem {
  const errors = { [error.quota]: [error.message] };
  if (error.retryAfterS === undefined) return new HttpProblem(403, 'forbidden', error.message, errors);
  return new HttpProblem(429, 'too-many-requests', error.message, errors, { [RETRY_AFTER_HEADER]: String(error.retryAfterS) });
}

/**
 * Adds screened numbers to a campaign (the JSON and CSV adds) within the client's maxNumbersPerCampaign and
 * maxNumbersPerDay: the quota's answer (quotaProblem), and nothing added, when the request would pass one. Returns the
 * numbers added.
 */
export async function addNumbersWithinQuota(
  services: Pick<AppServices, 'campaigns' | 'clientLimits' | 'clock'>,
  clientId: number,
  campaignId: number,
  numbers: Parameters<AppServices['campaigns']['addNumbers']>[1],
): Promise<Set<string>> {
  try {
    return await services.campaigns.addNumbers(campaignId, numbers, await services.clientLimits.get(clientId), services.clock.now());
  } catch (error) {
    if (error instanceof QuotaExceeded) throw quotaProblem(error);
    throw error;
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
