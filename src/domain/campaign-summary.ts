// A campaign's summary (issue 11: the dashboard's campaign page) built from its kept counts: numbers by status,
// calls by outcome, calls per minute, lines in use. Every NumberStatus and CallOutcome is named in the answer, with 0
// for those the campaign has none of, so a chart never has to know the enumerations. Pure.
import { abandonedRate, type AbandonedCounts } from './compliance/abandoned-rate.js';
import { CallOutcome, NumberStatus } from './enums.js';

export interface CampaignCounts {
  campaign: { id: number; name: string; status: number; timeZone: string; callCount: number };
  numbersByStatus: ReadonlyMap<number, number>;
  /** Calls with a result (never InProgress: a call in progress is the one call of a number being dialled). */
  callsByOutcome: readonly { outcome: number; calls: number; human: number; machine: number; price: number; seconds: number }[];
  /** The latest minutes that have calls with a result, oldest first. */
  minutes: readonly { minute: Date; calls: number; answered: number }[];
  linesInUse: number;
}

/** The campaign list's progress extension. */
export interface CampaignProgress {
  numbersTotal: number;
  numbersFinished: number;
  /** Calls a person answered (outcome Answered). */
  callsAnswered: number;
  /** GBP. */
  cost: number;
}

type NumberStatusName = (typeof NumberStatus.members)[number]['name'];
type CallOutcomeName = (typeof CallOutcome.members)[number]['name'];

export interface AbandonedCalls24h extends AbandonedCounts {
  ratePercent: number;
}

export interface CampaignSummary {
  id: number;
  name: string;
  campaignStatus: number;
  timeZone: string;
  at: string;
  numbers: { total: number; finished: number; byStatus: Record<NumberStatusName, number> };
  calls: {
    total: number;
    byOutcome: Record<CallOutcomeName, number>;
    answeredBy: { human: number; machine: number };
    cost: number;
    secondsTotal: number;
  };
  callsPerMinute: { minute: string; calls: number; answered: number }[];
  abandonedCalls24h: AbandonedCalls24h;
  pacing: { linesInUse: number; maxConcurrentCalls: number; maxCallsPerSecond: number };
}

/** Prices are stored to 4 decimal places (GBP); a sum of them is too, without the float noise of adding. */
const PRICE_SCALE = 10_000;

/** Pending and Dialling numbers are still in play; every other status is final. */
export function isFinishedStatus(status: number): boolean {
  return status !== NumberStatus.Pending && status !== NumberStatus.Dialling;
}

/**
 * Ofcom's abandoned-call rate as the campaign detail shows it (abandonedCalls24h): the counts, and the rate with the
 * estimated AMD false positives in percent, to 2 decimal places.
 */
export function abandonedCalls24h(counts: AbandonedCounts, settings: { amdFalsePositiveRate: number }): AbandonedCalls24h {
  const { live, abandoned, machine } = counts;
  const { rate } = abandonedRate(counts, settings);
  return { live, abandoned, machine, ratePercent: Math.round(rate * 10_000) / 100 };
}

export function summarize(
  counts: CampaignCounts,
  context: { at: Date; abandoned: AbandonedCalls24h; limits: { maxConcurrentCalls: number; maxCallsPerSecond: number } },
): CampaignSummary {
  const { campaign } = counts;
  const byStatus = Object.fromEntries(NumberStatus.members.map((m) => [m.name, counts.numbersByStatus.get(m.value) ?? 0])) as Record<NumberStatusName, number>;
  let total = 0;
  let finished = 0;
  for (const [status, numbers] of counts.numbersByStatus) {
    total += numbers;
    if (isFinishedStatus(status)) finished += numbers;
  }
  const byOutcome = Object.fromEntries(CallOutcome.members.map((m) => [m.name, 0])) as Record<CallOutcomeName, number>;
  const names = new Map<number, CallOutcomeName>(CallOutcome.members.map((m) => [m.value, m.name]));
  // The calls in progress are the numbers being dialled: the claim writes each such number's call in the statement
  // that moves it to Dialling, and recording the call's result moves it on in the same statement or transaction.
  const inProgress = counts.numbersByStatus.get(NumberStatus.Dialling) ?? 0;
  byOutcome.InProgress = inProgress;
  const calls = { total: inProgress, human: 0, machine: 0, priceUnits: 0, seconds: 0 };
  for (const row of counts.callsByOutcome) {
    const name = names.get(row.outcome);
    if (row.outcome === CallOutcome.InProgress) continue;
    if (name !== undefined) byOutcome[name] += row.calls;
    calls.total += row.calls;
    calls.human += row.human;
    calls.machine += row.machine;
    calls.priceUnits += Math.round(row.price * PRICE_SCALE);
    calls.seconds += row.seconds;
  }
  return {
    id: campaign.id,
    name: campaign.name,
    campaignStatus: campaign.status,
    timeZone: campaign.timeZone,
    at: context.at.toISOString(),
    numbers: { total, finished, byStatus },
    calls: {
      total: calls.total,
      byOutcome,
      answeredBy: { human: calls.human, machine: calls.machine },
      cost: calls.priceUnits / PRICE_SCALE,
      secondsTotal: calls.seconds,
    },
    callsPerMinute: counts.minutes.map((m) => ({ minute: m.minute.toISOString(), calls: m.calls, answered: m.answered })),
    abandonedCalls24h: context.abandoned,
    pacing: { linesInUse: counts.linesInUse, ...context.limits },
  };
}
