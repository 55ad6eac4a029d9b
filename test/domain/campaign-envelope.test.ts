// A campaign's days within its client's calling hours: trimmed and reported, refused when nothing is left.
import { describe, expect, it } from 'vitest';
import { campaignEnvelope } from '../../src/domain/compliance/campaign-envelope.js';
import { DEFAULT_CALLING_HOURS } from '../../src/domain/compliance/calling-hours.js';

describe('campaignEnvelope', () => {
  it('refuses a Sunday-only campaign, saying why', () => {
    const check = campaignEnvelope({ startDate: '2026-12-06', startTime: '10:00', finishTime: '12:00', runoverDays: [] }, DEFAULT_CALLING_HOURS, undefined);
    expect(check).toEqual({ ok: false, errors: { StartDate: ['No calling window is left within the calling hours: 2026-12-06 10:00-12:00: no calls on Sundays.'] } });
  });

  it('keeps the allowed days and reports what was trimmed', () => {
    const check = campaignEnvelope(
      { startDate: '2026-12-05', startTime: '08:00', finishTime: '12:00', runoverDays: [{ date: '2026-12-06', startTime: '09:00', finishTime: '12:00' }, { date: '2026-12-07', startTime: '09:00', finishTime: '12:00' }] },
      DEFAULT_CALLING_HOURS,
      undefined,
    );
    expect(check.ok).toBe(true);
    if (!check.ok) return;
    expect(check.trimmed).toEqual([
      { date: '2026-12-05', requested: '08:00-12:00', allowed: ['09:00-12:00'], reason: 'calling hours on Saturdays are 09:00-21:00' },
      { date: '2026-12-06', requested: '09:00-12:00', allowed: [], reason: 'no calls on Sundays' },
    ]);
  });

  it("applies the campaign's own narrowing and refuses a widening", () => {
    const narrowed = campaignEnvelope({ startDate: '2026-12-07', startTime: '09:00', finishTime: '17:00', runoverDays: [] }, DEFAULT_CALLING_HOURS, { weekdays: { monday: [{ start: '10:00', finish: '12:00' }] } });
    expect(narrowed).toMatchObject({ ok: true, trimmed: [{ allowed: ['10:00-12:00'] }] });
    const widened = campaignEnvelope({ startDate: '2026-12-07', startTime: '09:00', finishTime: '17:00', runoverDays: [] }, DEFAULT_CALLING_HOURS, { weekdays: { sunday: [{ start: '10:00', finish: '12:00' }] } });
    expect(widened).toMatchObject({ ok: false, errors: { 'CallingHours.weekdays.sunday[0]': [expect.stringContaining('not widen')] } });
  });
});
