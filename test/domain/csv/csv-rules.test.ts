// The pure CSV rules (src/domain/csv): column guessing and mapping, delimiter detection, rows as entries, and the
// export's quoting, formula guard and zone offsets (across a clock change).
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { FieldErrorCollector } from '../../../src/domain/field-errors.js';
import { guessColumns, parseColumnsPart, resolveColumns } from '../../../src/domain/csv/column-mapping.js';
import { detectDelimiter, isBlankRecord, recordToEntry, withRowNumbers } from '../../../src/domain/csv/csv-rows.js';
import { CallOutcome, NumberStatus } from '../../../src/domain/enums.js';
import { csvText, exportLines, ZoneTimes, EXPORT_COLUMNS, type ExportNumber } from '../../../src/domain/csv/export-rows.js';

describe('column mapping', () => {
  it('guesses roles ignoring case, spaces, underscores and hyphens; the first header of a role wins', () => {
    expect(guessColumns(['MSISDN', 'Full Name', 'param_3', 'Parameter 10', 'Phone', 'other'])).toEqual({ number: 'MSISDN', name: 'Full Name', parameter3: 'param_3' });
    expect(guessColumns(['Tel', 'NAME', 'parameter9'])).toEqual({ number: 'Tel', name: 'NAME', parameter9: 'parameter9' });
  });

  it('maps an explicit columns part by header, exactly or ignoring case and spaces', () => {
    const errors = new FieldErrorCollector();
    const requested = parseColumnsPart('{"Number": "mobile no", "parameter2": "Balance"}', errors);
    const mapping = resolveColumns(['Customer', 'Mobile No', 'Balance'], requested, errors);
    expect(errors.isEmpty).toBe(true);
    expect(mapping).toMatchObject({ number: 1, name: undefined, parameters: [{ parameter: 2, column: 2 }], names: { number: 'Mobile No', parameter2: 'Balance' }, width: 3 });
  });

  it('refuses unknown roles, headers the file lacks, two roles on one column, and no number column', () => {
    const unknown = new FieldErrorCollector();
    expect(parseColumnsPart('{"phone": "x"}', unknown)).toBeUndefined();
    expect(unknown.errors.Columns![0]).toContain('Columns.phone is not a column role');
    const shared = new FieldErrorCollector();
    expect(resolveColumns(['a', 'b'], { number: 'a', name: 'A' }, shared)).toBeUndefined();
    expect(shared.errors.Columns![0]).toContain('both name column "a"');
    const none = new FieldErrorCollector();
    expect(resolveColumns(['who', 'ref'], undefined, none)).toBeUndefined();
    expect(Object.keys(none.errors)).toEqual(['File']);
  });
});

describe('rows', () => {
  it('detects the delimiter from the header line, outside quotes', () => {
    expect(detectDelimiter('number;name;ref')).toBe(';');
    expect(detectDelimiter('number\tname')).toBe('\t');
    expect(detectDelimiter('"a;b;c",number,name')).toBe(',');
    expect(detectDelimiter('number')).toBe(',');
  });

  it('turns a record into a phoneNumbers entry, leaving empty parameters out', () => {
    const errors = new FieldErrorCollector();
    const mapping = resolveColumns(['n', 'name', 'p1', 'p2'], { number: 'n', name: 'name', parameter1: 'p1', parameter2: 'p2' }, errors)!;
    expect(recordToEntry(['07722 100001', 'Ann', '', 'x'], mapping)).toEqual({ number: '07722 100001', name: 'Ann', parameters: [{ parameter: 2, value: 'x' }] });
    expect(recordToEntry(['07722 100001', 'Ann', '', ''], mapping)).toEqual({ number: '07722 100001', name: 'Ann' });
    expect(isBlankRecord(['', ' ', ''])).toBe(true);
  });

  it('names the row in messages about list entries and leaves other messages alone', () => {
    const rows = [2, 5, 6];
    expect(withRowNumbers({ 'PhoneNumbers[1].Number': ['bad'], Name: ['taken'] }, (i) => rows[i]!)).toEqual({ 'PhoneNumbers[1].Number': ['Row 5: bad'], Name: ['taken'] });
  });
});

describe('export lines', () => {
  it('quotes as RFC 4180 says and guards leading formula characters', () => {
    expect(csvText('plain')).toBe('plain');
    expect(csvText('Smith, "Jo"')).toBe('"Smith, ""Jo"""');
    expect(csvText('=1+1')).toBe("'=1+1");
    expect(csvText('-2, or so')).toBe(`"'-2, or so"`);
    expect(csvText('@home')).toBe("'@home");
    expect(csvText(null)).toBe('');
  });

  it("prints times with the zone's offset on both sides of a clock change", () => {
    const london = new ZoneTimes('Europe/London');
    // 2027-03-28 01:00 UTC: London goes from GMT to BST.
    expect(london.iso(Date.parse('2027-03-28T00:59:59.999Z'))).toBe('2027-03-28T00:59:59.999+00:00');
    expect(london.iso(Date.parse('2027-03-28T01:00:00.000Z'))).toBe('2027-03-28T02:00:00.000+01:00');
    expect(new ZoneTimes('Asia/Kolkata').iso(Date.parse('2027-01-12T03:30:03Z'))).toBe('2027-01-12T09:00:03.000+05:30');
    expect(new ZoneTimes('America/New_York').iso(Date.parse('2027-07-01T13:00:00Z'))).toBe('2027-07-01T09:00:00.000-04:00');
  });

  it('prints the same times as luxon for any instant, zone and clock change (the per-hour fast path)', () => {
    let seed = 12345;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (const zone of ['Europe/London', 'Asia/Kathmandu', 'Pacific/Chatham', 'America/St_Johns', 'Australia/Lord_Howe', 'UTC']) {
      const times = new ZoneTimes(zone);
      for (let i = 0; i < 3000; i++) {
        // 1990-2040, whole milliseconds, and runs of nearby instants (as a campaign's calls are).
        const ms = i % 3 === 0 ? Date.UTC(1990, 0, 1) + Math.floor(random() * 50 * 365.25 * 86_400_000) : Date.UTC(2027, 2, 28) + Math.floor(random() * 3 * 86_400_000);
        expect(times.iso(ms), `${zone} ${ms}`).toBe(DateTime.fromMillis(ms, { zone }).toISO()!.replace(/Z$/, '+00:00'));
      }
    }
  });

  it('writes one line per call, or one with empty call columns, each as wide as the header', () => {
    const times = new ZoneTimes('Europe/London');
    const called: ExportNumber = [7, '+447722100001', 'Ann', [{ parameter: 3, value: 'x' }], NumberStatus.Answered, null, [
      [1, Date.parse('2027-01-12T09:00:03Z'), Date.parse('2027-01-12T09:00:33Z'), 28, CallOutcome.Answered, 1, '12#', 'human', false, null, 'hangup', 0.0125],
    ]];
    const line = exportLines(called, times);
    expect(line).toBe('7,+447722100001,Ann,,,x,,,,,,,Answered,,1,2027-01-12T09:00:03.000+00:00,2027-01-12T09:00:33.000+00:00,28,Answered,1,12#,human,false,,hangup,0.0125\r\n');
    const never = exportLines([8, '+447722100002', '', [], NumberStatus.Pending, null, []], times);
    expect(never.split(',').length).toBe(EXPORT_COLUMNS.length);
    expect(line.split(',').length).toBe(EXPORT_COLUMNS.length);
  });
});
