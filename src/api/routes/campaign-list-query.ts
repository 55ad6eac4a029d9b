// Turns the /p query string into a repository query, checking what the schema cannot: column names, the values of
// comma lists (a status the column cannot hold must be a 400, not a database error), and that dates are real dates.
import type { CampaignPageQuery } from '../schemas/campaign-query.js';
import { CAMPAIGN_LIST_FIELDS, type CampaignListField } from '../../domain/campaign-list.js';
import { CampaignStatus, CampaignType } from '../../domain/enums.js';
import { normaliseDate } from '../../domain/wall-clock.js';
import type { CampaignListQuery } from '../../store/repositories/campaigns.js';
import { FieldErrorCollector, type FieldErrors } from '../../domain/field-errors.js';
import { validationProblem } from '../problem.js';
import { INT4_MAX, parseStrictInteger } from '../strict-integer.js';

const FIELD_BY_LOWER = new Map(CAMPAIGN_LIST_FIELDS.map((field) => [field.toLowerCase(), field]));

/** Enumerated columns accept only their defined values; the others any int4 (ids and counts). */
const KNOWN_VALUES: Partial<Record<CampaignListField, readonly number[]>> = {
  campaignStatus: CampaignStatus.values,
  type: CampaignType.values,
};

type NumericField = 'id' | 'type' | 'callFlow_Id' | 'campaignStatus' | 'callCount' | 'cli_id';

/**
 * The numbers of a comma list (already in the strict integer form: the schema's pattern, or the filterQuery check),
 * or undefined after recording an error under `param`. Values outside what the column holds are refused: PostgreSQL
 * would fail the whole query on `status in (99999)` for a smallint column.
 */
function checkedValues(texts: string[], field: NumericField, param: string, errors: FieldErrorCollector): number[] | undefined {
  const known = KNOWN_VALUES[field];
  const values: number[] = [];
  const bad: string[] = [];
  for (const text of texts) {
    const value = parseStrictInteger(text);
    if (value === undefined || (known ? !known.includes(value) : value > INT4_MAX)) bad.push(text);
    else values.push(value);
  }
  if (bad.length === 0) return values;
  errors.add(
    param,
    known
      ? `${field} must be one of ${known.join(', ')}; ${bad.join(', ')} is not a known value.`
      : `${field} values must be at most ${INT4_MAX}; ${bad.join(', ')} is too large.`,
  );
  return undefined;
}

function intList(text: string | undefined, field: NumericField, errors: FieldErrorCollector): number[] | undefined {
  if (text === undefined) return undefined;
  return checkedValues(
    text.split(',').map((part) => part.trim()),
    field,
    field,
    errors,
  );
}

const BOUND = /^(\d{4}-\d{2}-\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2}))?)?$/;

/**
 * An inclusive bound in the list's startDate form, `YYYY-MM-DDTHH:mm:ss`. A bare date is the start (or the end) of its
 * day; a time without seconds is the start (or the end) of its minute. The schema checks the shape; this checks that
 * the date exists and the clock reads a real time, so `2027-02-30` is a 400 rather than a silently odd filter.
 */
function toBound(text: string | undefined, param: string, endOfDay: boolean, errors: FieldErrorCollector): string | undefined {
  if (text === undefined) return undefined;
  const match = BOUND.exec(text);
  const [, date, hours, minutes, seconds] = match ?? [];
  const realTime = hours === undefined || (Number(hours) <= 23 && Number(minutes) <= 59 && (seconds === undefined || Number(seconds) <= 59));
  if (!match || normaliseDate(date!) === undefined || !realTime) {
    errors.add(param, `${param} must be a real date and time: YYYY-MM-DD or YYYY-MM-DDTHH:mm[:ss].`);
    return undefined;
  }
  if (hours === undefined) return `${date}T${endOfDay ? '23:59:59' : '00:00:00'}`;
  return `${date}T${hours}:${minutes}:${seconds ?? (endOfDay ? '59' : '00')}`;
}

/**
 * The repository query for a validated query string; throws a 400 listing every bad parameter. `schemaErrors` are
 * failures the schema already found (when the route attaches them instead of answering at once): they are reported
 * with the rest, and the parameters they name are not checked again.
 */
export function toListQuery(query: CampaignPageQuery, schemaErrors: FieldErrors = {}): CampaignListQuery {
  const errors = new FieldErrorCollector();
  for (const [param, messages] of Object.entries(schemaErrors)) for (const message of messages) errors.add(param, message);
  const unchecked = <T>(param: string, value: T): T | undefined => (param in schemaErrors ? undefined : value);

  let sortColumn: CampaignListField = 'id';
  const sortText = unchecked('sortColumn', query.sortColumn);
  if (sortText !== undefined && sortText !== '') {
    const field = FIELD_BY_LOWER.get(sortText.toLowerCase());
    if (field) sortColumn = field;
    else errors.add('sortColumn', `Cannot sort by "${sortText}"; use one of ${CAMPAIGN_LIST_FIELDS.join(', ')}.`);
  }
  const result: CampaignListQuery = {
    pageIndex: query.pageIndex,
    pageSize: query.pageSize,
    sortColumn,
    descending: query.sortOrder?.toLowerCase() === 'desc',
    nameContains: query.name,
    statuses: intList(unchecked('campaignStatus', query.campaignStatus), 'campaignStatus', errors),
    types: intList(unchecked('type', query.type), 'type', errors),
    callFlowIds: intList(unchecked('callFlow_Id', query.callFlow_Id), 'callFlow_Id', errors),
    cliIds: intList(unchecked('cli_id', query.cli_id), 'cli_id', errors),
    startDateFrom: toBound(unchecked('startDateFrom', query.startDateFrom), 'startDateFrom', false, errors),
    startDateTo: toBound(unchecked('startDateTo', query.startDateTo), 'startDateTo', true, errors),
  };

  // The generic filterColumn/filterQuery pair maps onto the same filters.
  if (query.filterColumn !== undefined || query.filterQuery !== undefined) {
    const field = FIELD_BY_LOWER.get((query.filterColumn ?? '').toLowerCase());
    const value = (query.filterQuery ?? '').trim();
    if (!field) {
      errors.add('filterColumn', `Cannot filter by "${query.filterColumn ?? ''}"; use one of ${CAMPAIGN_LIST_FIELDS.join(', ')}.`);
    } else if (value === '') {
      errors.add('filterQuery', 'filterQuery is required with filterColumn.');
    } else if (field === 'name') {
      result.nameContains = value;
    } else if (field === 'startDate' || field === 'starttime' || field === 'finishtime') {
      errors.add('filterColumn', `Use startDateFrom/startDateTo to filter by dates; ${field} is not supported by filterColumn.`);
    } else if (parseStrictInteger(value) === undefined) {
      errors.add('filterQuery', `${field} takes a whole number.`);
    } else {
      const list = checkedValues([value], field, 'filterQuery', errors);
      if (field === 'campaignStatus') result.statuses = list;
      else if (field === 'type') result.types = list;
      else if (field === 'callFlow_Id') result.callFlowIds = list;
      else if (field === 'cli_id') result.cliIds = list;
      else if (field === 'id') result.ids = list;
      else result.callCounts = list;
    }
  }
  if (result.startDateFrom && result.startDateTo && result.startDateFrom > result.startDateTo) {
    errors.add('startDateFrom', 'startDateFrom must not be after startDateTo.');
  }
  if (!errors.isEmpty) throw validationProblem(errors.errors);
  return result;
}
