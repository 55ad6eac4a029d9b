// The campaign's `callingHours` (Ringcast extension): per weekday, keep the client's hours, set intervals of its own
// (from/to), or no calls at all; the bank holidays of more UK jurisdictions; and dates without calls. It can only narrow the client's hours: the server answers
// a widening with a message at the interval's path (CallingHours.weekdays.monday[0]), shown beside that interval.
import { useLayoutEffect, useRef } from 'preact/hooks';
import { WEEKDAYS, type HoursInterval, type Weekday } from '../../../src/domain/compliance/calling-hours.js';
import { CALLING_HOURS_PATH } from '../../../src/domain/compliance/campaign-envelope.js';
import { HOLIDAY_REGIONS, type HolidayRegion } from '../../../src/domain/compliance/bank-holidays.js';
import { FieldMessages, messagesUnder } from './field.js';

/** A day left out keeps the client's hours; an empty list is a day without calls. */
export interface CallingHoursDraft {
  weekdays: Partial<Record<Weekday, HoursInterval[]>>;
  /** Jurisdictions whose bank holidays are days without calls, added to the client's own (it can only add). */
  holidays: HolidayRegion[];
  excludedDates: string;
}

export const EMPTY_CALLING_HOURS: CallingHoursDraft = { weekdays: {}, holidays: [], excludedDates: '' };

const REGION_NAMES: Record<HolidayRegion, string> = {
  'england-and-wales': 'England and Wales',
  scotland: 'Scotland',
  'northern-ireland': 'Northern Ireland',
};

/** The request's `callingHours`, or undefined when nothing narrows the client's hours. */
export function callingHoursBody(
  draft: CallingHoursDraft,
): { weekdays?: Partial<Record<Weekday, HoursInterval[]>>; holidays?: HolidayRegion[]; excludedDates?: string[] } | undefined {
  const dates = draft.excludedDates
    .split(/[\s,]+/)
    .map((date) => date.trim())
    .filter((date) => date !== '');
  const hasDays = Object.keys(draft.weekdays).length > 0;
  const hasHolidays = draft.holidays.length > 0;
  if (!hasDays && !hasHolidays && dates.length === 0) return undefined;
  return {
    ...(hasDays ? { weekdays: draft.weekdays } : {}),
    ...(hasHolidays ? { holidays: draft.holidays } : {}),
    ...(dates.length > 0 ? { excludedDates: dates } : {}),
  };
}

const title = (day: Weekday) => day[0]!.toUpperCase() + day.slice(1);

export function CallingHoursEditor({ value, onChange, errors }: { value: CallingHoursDraft; onChange: (value: CallingHoursDraft) => void; errors: Record<string, string[]> | undefined }) {
  // An interval added takes the focus, so that its times can be typed at once; see setDay for the others.
  const focusAfterRender = useRef<string | null>(null);
  useLayoutEffect(() => {
    if (focusAfterRender.current === null) return;
    document.getElementById(focusAfterRender.current)?.focus();
    focusAfterRender.current = null;
  });
  /**
   * A change whose button disappears with it (Remove, No calls, Client's hours) leaves the focus on the day's Add;
   * typing in a time (focusId null) keeps it where it is.
   */
  const setDay = (day: Weekday, intervals: HoursInterval[] | undefined, focusId: string | null = `hours-${day}-add`) => {
    focusAfterRender.current = focusId;
    const weekdays = { ...value.weekdays };
    if (intervals === undefined) delete weekdays[day];
    else weekdays[day] = intervals;
    onChange({ ...value, weekdays });
  };
  const addInterval = (day: Weekday) => {
    const intervals = value.weekdays[day] ?? [];
    setDay(day, [...intervals, { start: '09:00', finish: '17:00' }], `hours-${day}-${intervals.length}-start`);
  };
  const path = (suffix: string) => `${CALLING_HOURS_PATH}${suffix}`;
  const dateMessages = messagesUnder(errors, path('.excludedDates'));
  const holidayMessages = messagesUnder(errors, path('.holidays'));
  const toggleRegion = (region: HolidayRegion, on: boolean) =>
    onChange({ ...value, holidays: HOLIDAY_REGIONS.filter((r) => (r === region ? on : value.holidays.includes(r))) });
  // Messages for the whole profile or for fields this editor has no input for, so that none is lost.
  const otherMessages = Object.entries(errors ?? {})
    .filter(([key]) => {
      const lower = key.toLowerCase();
      return (lower === CALLING_HOURS_PATH.toLowerCase() || lower.startsWith(`${CALLING_HOURS_PATH.toLowerCase()}.`)) && !/\.(weekdays\.\w+|excludeddates|holidays)/.test(lower);
    })
    .flatMap(([key, messages]) => messages.map((message) => `${key}: ${message}`));
  return (
    <fieldset class="calling-hours">
      <legend>Calling hours (optional: narrow the client's hours for this campaign)</legend>
      {WEEKDAYS.map((day) => {
        const intervals = value.weekdays[day];
        const dayId = `hours-${day}`;
        return (
          <div key={day} class={messagesUnder(errors, path(`.weekdays.${day}`)).length > 0 ? 'hours-day invalid' : 'hours-day'} role="group" aria-labelledby={`${dayId}-name`}>
            <strong id={`${dayId}-name`}>{title(day)}</strong>
            {intervals === undefined ? (
              <span class="hint">the client's hours</span>
            ) : intervals.length === 0 ? (
              <span class="hint">no calls</span>
            ) : (
              intervals.map((interval, index) => {
                const change = (patch: Partial<HoursInterval>) => setDay(day, intervals.map((item, i) => (i === index ? { ...item, ...patch } : item)), null);
                const id = `${dayId}-${index}`;
                const messages = messagesUnder(errors, path(`.weekdays.${day}[${index}]`));
                return (
                  <span key={index} class="row">
                    <input
                      id={`${id}-start`}
                      type="time"
                      value={interval.start}
                      onInput={(e) => change({ start: e.currentTarget.value })}
                      aria-label={`${title(day)} hours ${index + 1} from`}
                      aria-invalid={messages.length > 0}
                      aria-describedby={messages.length > 0 ? `${id}-error-0` : undefined}
                    />
                    <span aria-hidden="true">to</span>
                    <input
                      id={`${id}-finish`}
                      type="time"
                      value={interval.finish}
                      onInput={(e) => change({ finish: e.currentTarget.value })}
                      aria-label={`${title(day)} hours ${index + 1} to`}
                      aria-invalid={messages.length > 0}
                    />
                    <button type="button" class="secondary small" onClick={() => setDay(day, intervals.filter((_, i) => i !== index))} aria-label={`Remove ${title(day)} hours ${index + 1}`}>
                      Remove
                    </button>
                    <FieldMessages id={id} messages={messages} />
                  </span>
                );
              })
            )}
            <span class="row">
              <button id={`${dayId}-add`} type="button" class="secondary small" onClick={() => addInterval(day)} aria-label={`Add hours on ${title(day)}`}>
                Add hours
              </button>
              {intervals?.length !== 0 && (
                <button type="button" class="secondary small" onClick={() => setDay(day, [])} aria-label={`No calls on ${title(day)}`}>
                  No calls
                </button>
              )}
              {intervals !== undefined && (
                <button type="button" class="secondary small" onClick={() => setDay(day, undefined)} aria-label={`${title(day)}: the client's hours`}>
                  Client's hours
                </button>
              )}
            </span>
            <FieldMessages id={`${dayId}-day`} messages={messagesUnder(errors, path(`.weekdays.${day}`), true)} />
          </div>
        );
      })}
      <fieldset class={holidayMessages.length > 0 ? 'hours-holidays invalid' : 'hours-holidays'}>
        <legend>Also no calls on the bank holidays of (the client's own always apply)</legend>
        {HOLIDAY_REGIONS.map((region) => (
          <label key={region}>
            <input type="checkbox" checked={value.holidays.includes(region)} onChange={(e) => toggleRegion(region, e.currentTarget.checked)} aria-invalid={holidayMessages.length > 0} />
            {REGION_NAMES[region]}
          </label>
        ))}
        <FieldMessages id="hours-holidays" messages={holidayMessages} />
      </fieldset>
      <div class={dateMessages.length > 0 ? 'field invalid' : 'field'}>
        <label for="hours-excluded">Dates without calls (YYYY-MM-DD, separated by commas or spaces)</label>
        <input id="hours-excluded" value={value.excludedDates} onInput={(e) => onChange({ ...value, excludedDates: e.currentTarget.value })} aria-invalid={dateMessages.length > 0} />
        <FieldMessages id="hours-excluded" messages={dateMessages} />
      </div>
      <FieldMessages id="hours-other" messages={otherMessages} />
      <button type="button" class="secondary" onClick={() => onChange(EMPTY_CALLING_HOURS)} disabled={callingHoursBody(value) === undefined}>
        Clear: use the client's hours
      </button>
    </fieldset>
  );
}
