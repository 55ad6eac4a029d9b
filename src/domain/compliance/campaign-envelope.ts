// A new campaign within its client's calling hours (issue 9): the campaign may narrow the client's profile with its
// own `callingHours` (never widen it), its start day and runover days are cut to what the profile allows, and a
// campaign left with no window at all is refused with the reasons. What was cut is reported in the create echo.
// Pure.
import { FieldErrorCollector, type FieldErrors } from '../field-errors.js';
import { applyCallingHours, narrowCallingHours, type CallingHoursProfile, type TrimmedDay, type WallClockDay } from './calling-hours.js';
import { windowsOfDays, type CallingWindow } from '../calling-windows.js';

export interface CampaignDays {
  startDate: string;
  startTime: string;
  finishTime: string;
  runoverDays: readonly { date: string; startTime: string; finishTime: string }[];
}

export type EnvelopeCheck =
  | { ok: true; profile: CallingHoursProfile; trimmed: TrimmedDay[] }
  | { ok: false; errors: FieldErrors };

/** Field path of the campaign's own calling hours in errors (the API's PascalCase field paths). */
export const CALLING_HOURS_PATH = 'CallingHours';

export function campaignEnvelope(campaign: CampaignDays, clientProfile: CallingHoursProfile, requested: unknown): EnvelopeCheck {
  let profile = clientProfile;
  if (requested !== undefined && requested !== null) {
    const narrowed = narrowCallingHours(clientProfile, requested, CALLING_HOURS_PATH);
    if (!narrowed.ok) return narrowed;
    profile = narrowed.profile;
  }
  const { days: kept, trimmed } = applyCallingHours(daysOf(campaign), profile);
  if (kept.length === 0) {
    const errors = new FieldErrorCollector();
    errors.add(
      'StartDate',
      `No calling window is left within the calling hours: ${trimmed.map((t) => `${t.date} ${t.requested}: ${t.reason}`).join('; ')}.`,
    );
    return { ok: false, errors: errors.errors };
  }
  return { ok: true, profile, trimmed };
}

/**
 * The instants calls may start in: the campaign's days cut to its calling hours, on its zone's wall clock. What the
 * dialer runs on, so no call starts outside the intersection and retries that fall outside it move to its next
 * opening, as they do for the campaign's own windows.
 */
export function envelopedWindows(spec: CampaignDays & { timeZone: string }, profile: CallingHoursProfile): CallingWindow[] {
  return windowsOfDays(applyCallingHours(daysOf(spec), profile).days, spec.timeZone);
}

/** The start day and the runover days, as wall-clock days. */
function daysOf(campaign: CampaignDays): WallClockDay[] {
  return [
    { date: campaign.startDate, startTime: campaign.startTime, finishTime: campaign.finishTime },
    ...campaign.runoverDays.map((day) => ({ date: day.date, startTime: day.startTime, finishTime: day.finishTime })),
  ];
}
