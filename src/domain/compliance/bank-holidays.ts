// UK bank holidays as data (issue 9: no calling on bank holidays by industry convention).
//
// Source: the lists published at gov.uk/bank-holidays for each of the three jurisdictions. gov.uk publishes about
// two years ahead; the later years here follow the same statutory pattern (Banking and Financial Dealings Act 1971
// and the royal proclamations that fix the early May, spring and summer holidays): a holiday that falls on a weekend
// is moved to the next weekday that is not already a holiday. One-off holidays proclaimed later (a coronation, a
// jubilee) are not here: an operator adds them as excluded dates of the calling-hours profile, and a new release
// adds them to this table. test/domain/bank-holidays.test.ts re-derives every date from those rules, so a typing
// error here fails the suite.
//
// A date outside COVERED_YEARS is not known to be a working day: holidaysOn() says "unknown" and the calling-hours
// rules refuse to call on it rather than treat it as ordinary.

export const HOLIDAY_REGIONS = ['england-and-wales', 'scotland', 'northern-ireland'] as const;
export type HolidayRegion = (typeof HOLIDAY_REGIONS)[number];

/** First and last calendar year the table below covers, for every region. */
export const COVERED_YEARS = { first: 2026, last: 2030 } as const;

type HolidayList = readonly (readonly [date: string, name: string])[];

const ENGLAND_AND_WALES: HolidayList = [
  ['2026-01-01', "New Year's Day"],
  ['2026-04-03', 'Good Friday'],
  ['2026-04-06', 'Easter Monday'],
  ['2026-05-04', 'Early May bank holiday'],
  ['2026-05-25', 'Spring bank holiday'],
  ['2026-08-31', 'Summer bank holiday'],
  ['2026-12-25', 'Christmas Day'],
  ['2026-12-28', 'Boxing Day (substitute day)'],
  ['2027-01-01', "New Year's Day"],
  ['2027-03-26', 'Good Friday'],
  ['2027-03-29', 'Easter Monday'],
  ['2027-05-03', 'Early May bank holiday'],
  ['2027-05-31', 'Spring bank holiday'],
  ['2027-08-30', 'Summer bank holiday'],
  ['2027-12-27', 'Christmas Day (substitute day)'],
  ['2027-12-28', 'Boxing Day (substitute day)'],
  ['2028-01-03', "New Year's Day (substitute day)"],
  ['2028-04-14', 'Good Friday'],
  ['2028-04-17', 'Easter Monday'],
  ['2028-05-01', 'Early May bank holiday'],
  ['2028-05-29', 'Spring bank holiday'],
  ['2028-08-28', 'Summer bank holiday'],
  ['2028-12-25', 'Christmas Day'],
  ['2028-12-26', 'Boxing Day'],
  ['2029-01-01', "New Year's Day"],
  ['2029-03-30', 'Good Friday'],
  ['2029-04-02', 'Easter Monday'],
  ['2029-05-07', 'Early May bank holiday'],
  ['2029-05-28', 'Spring bank holiday'],
  ['2029-08-27', 'Summer bank holiday'],
  ['2029-12-25', 'Christmas Day'],
  ['2029-12-26', 'Boxing Day'],
  ['2030-01-01', "New Year's Day"],
  ['2030-04-19', 'Good Friday'],
  ['2030-04-22', 'Easter Monday'],
  ['2030-05-06', 'Early May bank holiday'],
  ['2030-05-27', 'Spring bank holiday'],
  ['2030-08-26', 'Summer bank holiday'],
  ['2030-12-25', 'Christmas Day'],
  ['2030-12-26', 'Boxing Day'],
];

// Scotland: 2 January and St Andrew's Day; the summer holiday is the first Monday of August; no Easter Monday.
const SCOTLAND: HolidayList = [
  ['2026-01-01', "New Year's Day"],
  ['2026-01-02', '2nd January'],
  ['2026-04-03', 'Good Friday'],
  ['2026-05-04', 'Early May bank holiday'],
  ['2026-05-25', 'Spring bank holiday'],
  ['2026-08-03', 'Summer bank holiday'],
  ['2026-11-30', "St Andrew's Day"],
  ['2026-12-25', 'Christmas Day'],
  ['2026-12-28', 'Boxing Day (substitute day)'],
  ['2027-01-01', "New Year's Day"],
  ['2027-01-04', '2nd January (substitute day)'],
  ['2027-03-26', 'Good Friday'],
  ['2027-05-03', 'Early May bank holiday'],
  ['2027-05-31', 'Spring bank holiday'],
  ['2027-08-02', 'Summer bank holiday'],
  ['2027-11-30', "St Andrew's Day"],
  ['2027-12-27', 'Christmas Day (substitute day)'],
  ['2027-12-28', 'Boxing Day (substitute day)'],
  ['2028-01-03', "New Year's Day (substitute day)"],
  ['2028-01-04', '2nd January (substitute day)'],
  ['2028-04-14', 'Good Friday'],
  ['2028-05-01', 'Early May bank holiday'],
  ['2028-05-29', 'Spring bank holiday'],
  ['2028-08-07', 'Summer bank holiday'],
  ['2028-11-30', "St Andrew's Day"],
  ['2028-12-25', 'Christmas Day'],
  ['2028-12-26', 'Boxing Day'],
  ['2029-01-01', "New Year's Day"],
  ['2029-01-02', '2nd January'],
  ['2029-03-30', 'Good Friday'],
  ['2029-05-07', 'Early May bank holiday'],
  ['2029-05-28', 'Spring bank holiday'],
  ['2029-08-06', 'Summer bank holiday'],
  ['2029-11-30', "St Andrew's Day"],
  ['2029-12-25', 'Christmas Day'],
  ['2029-12-26', 'Boxing Day'],
  ['2030-01-01', "New Year's Day"],
  ['2030-01-02', '2nd January'],
  ['2030-04-19', 'Good Friday'],
  ['2030-05-06', 'Early May bank holiday'],
  ['2030-05-27', 'Spring bank holiday'],
  ['2030-08-05', 'Summer bank holiday'],
  ['2030-12-02', "St Andrew's Day (substitute day)"],
  ['2030-12-25', 'Christmas Day'],
  ['2030-12-26', 'Boxing Day'],
];

// Northern Ireland: England and Wales's list plus St Patrick's Day and the Battle of the Boyne (Orangemen's Day).
const NORTHERN_IRELAND_EXTRA: HolidayList = [
  ['2026-03-17', "St Patrick's Day"],
  ['2026-07-13', 'Battle of the Boyne (substitute day)'],
  ['2027-03-17', "St Patrick's Day"],
  ['2027-07-12', 'Battle of the Boyne (Orangemen’s Day)'],
  ['2028-03-17', "St Patrick's Day"],
  ['2028-07-12', 'Battle of the Boyne (Orangemen’s Day)'],
  ['2029-03-19', "St Patrick's Day (substitute day)"],
  ['2029-07-12', 'Battle of the Boyne (Orangemen’s Day)'],
  ['2030-03-18', "St Patrick's Day (substitute day)"],
  ['2030-07-12', 'Battle of the Boyne (Orangemen’s Day)'],
];

const TABLES: Record<HolidayRegion, ReadonlyMap<string, string>> = {
  'england-and-wales': new Map(ENGLAND_AND_WALES),
  scotland: new Map(SCOTLAND),
  'northern-ireland': new Map([...ENGLAND_AND_WALES, ...NORTHERN_IRELAND_EXTRA].sort(([a], [b]) => a.localeCompare(b))),
};

export type HolidayLookup =
  | { kind: 'holiday'; name: string }
  | { kind: 'working' }
  /** The table does not cover the date's year: not known to be a working day. */
  | { kind: 'unknown'; message: string };

/** Whether `date` (YYYY-MM-DD) is a bank holiday in `region`, is not, or cannot be told from the shipped table. */
export function holidayOn(region: HolidayRegion, date: string): HolidayLookup {
  const year = Number(date.slice(0, 4));
  if (!(year >= COVERED_YEARS.first && year <= COVERED_YEARS.last)) {
    return {
      kind: 'unknown',
      message: `bank holidays for ${year} are not known to this version of Ringcast (it ships ${COVERED_YEARS.first}-${COVERED_YEARS.last})`,
    };
  }
  const name = TABLES[region].get(date);
  return name === undefined ? { kind: 'working' } : { kind: 'holiday', name };
}

/** Every holiday of a region as [date, name], in date order. */
export function holidayList(region: HolidayRegion): [string, string][] {
  return [...TABLES[region]];
}
