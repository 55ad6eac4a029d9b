// Schemas of a campaign's live summary (GET /api/campaigns/voice/:id/summary and the events of /:id/live) and of the
// campaign list's progress extension (issue 11). All Ringcast extensions: the Voice Campaigns document has neither.
import { Type } from '@sinclair/typebox';
import { CallOutcome, CampaignStatus, NumberStatus, type EnumMember } from '../../domain/enums.js';
import { enumSchema } from './common.js';
import { SUMMARY_MINUTES } from '../../store/repositories/campaign-summary.js';

/** An object with one integer count per member of an enumeration, named as the enumeration names it. */
function countsByName(members: readonly EnumMember[], description: string) {
  return Type.Object(
    Object.fromEntries(members.map((member) => [member.name, Type.Integer({ minimum: 0, description: `${member.value}: ${member.description}` })])),
    { description },
  );
}

const Count = (description: string) => Type.Integer({ minimum: 0, description });
const Gbp = (description: string) => Type.Number({ minimum: 0, description: `${description} (GBP)` });

export const CampaignProgressSchema = Type.Object(
  {
    numbersTotal: Count('Numbers in the campaign'),
    numbersFinished: Count('Numbers with a final status (neither Pending nor Dialling)'),
    callsAnswered: Count('Calls a person answered (outcome 5, Answered)'),
    cost: Gbp('The price of every call so far'),
  },
  { description: 'Ringcast extension: how far the campaign has got, from counts kept as it runs' },
);

export const AbandonedCalls24hSchema = Type.Object(
  {
    live: Type.Integer({ description: 'Answered by a person who heard the message in time' }),
    abandoned: Type.Integer(),
    machine: Type.Integer({ description: 'Answered by a machine (AMD)' }),
    ratePercent: Type.Number({ description: "Ofcom's abandoned-call rate with the estimated AMD false positives, in percent (limit 3)" }),
  },
  { description: 'Calls started in the last 24 hours, exactly as the campaign detail shows them' },
);

export const CampaignSummarySchema = Type.Object(
  {
    id: Type.Integer(),
    name: Type.String(),
    campaignStatus: enumSchema(CampaignStatus.members, 'Campaign status'),
    timeZone: Type.String({ description: 'The IANA zone of the campaign\'s dates and times' }),
    at: Type.String({ format: 'date-time', description: 'When the summary was read (ISO 8601, UTC)' }),
    numbers: Type.Object({
      total: Count('Numbers in the campaign'),
      finished: Count('Numbers with a final status (neither Pending nor Dialling)'),
      byStatus: countsByName(NumberStatus.members, 'Numbers by status (every status, 0 when none)'),
    }),
    calls: Type.Object({
      total: Count('Calls placed, including those in progress'),
      byOutcome: countsByName(CallOutcome.members, 'Calls by outcome (every outcome, 0 when none; InProgress: in progress now)'),
      answeredBy: Type.Object(
        { human: Count('Answered by a person'), machine: Count('Answered by a machine (AMD verdict)') },
        { description: 'Who answered, by the answering-machine detection verdict' },
      ),
      cost: Gbp('The price of every call'),
      secondsTotal: Count('Seconds of every call, added up'),
    }),
    callsPerMinute: Type.Array(
      Type.Object({
        minute: Type.String({ format: 'date-time', description: 'The start of the minute (ISO 8601, UTC)' }),
        calls: Count('Calls started in the minute that have ended (a call in progress joins its minute when it ends)'),
        answered: Count('Of those, calls a person answered (outcome Answered)'),
      }),
      { maxItems: SUMMARY_MINUTES, description: `The latest ${SUMMARY_MINUTES} minutes that have calls, oldest first` },
    ),
    abandonedCalls24h: AbandonedCalls24hSchema,
    pacing: Type.Object(
      {
        linesInUse: Count('Calls in progress now'),
        maxConcurrentCalls: Type.Integer({ description: "Concurrent calls this server's settings allow a campaign (CAMPAIGN_MAX_CALLS)" }),
        maxCallsPerSecond: Type.Integer({ description: "Call starts a second this server's settings allow a campaign (CAMPAIGN_MAX_CPS)" }),
      },
      { description: 'Current pacing: the compliance guard may slow the campaign below these limits (see the detail\'s complianceNote)' },
    ),
  },
  { description: 'Ringcast extension: a campaign\'s numbers, calls and pacing now, from counts kept as it runs' },
);
