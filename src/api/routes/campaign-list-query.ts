// Turns the /p query string into a repository query, checking what the schema cannot (column names, lists).
import type { CampaignPageQuery } from '../schemas/campaign-query.js';
import { CAMPAIGN_LIST_FIELDS, type CampaignListField } from '../../domain/campaign-list.js';
import type { CampaignListQuery } from '../../store/repositories/campaigns.js';
import { FieldErrorCollector } from '../../domain/field-errors.js';
import { validationProblem } from '../problem.js';

const FIELD_BY_LOWER = new Map(CAMPAIGN_LIST_FIELDS.map((field) => [field.toLowerCase(), field]));

const intList = (text: string | undefined) => text?.split(',').map((part) => Number(part.trim()));

function toBound(text: string | undefined, endOfDay: boolean): string | undefined {
  if (text === undefined) return undefined;
  if (text.length === 10) return `${text}T${endOfDay ? '23:59:59' : '00:00:00'}`;
  return text.length === 16 ? `${text}:${endOfDay ? '59' : '00'}` : text;
}

export function toListQuery(query: CampaignPageQuery): CampaignListQuery {
  const errors = new FieldErrorCollector();
  let sortColumn: CampaignListField = 'id';
  if (query.sortColumn !== undefined && query.sortColumn !== '') {
    const field = FIELD_BY_LOWER.get(query.sortColumn.toLowerCase());
    if (field) sortColumn = field;
    else errors.add('sortColumn', `Cannot sort by "${query.sortColumn}"; use one of ${CAMPAIGN_LIST_FIELDS.join(', ')}.`);
  }
  const result: CampaignListQuery = {
    pageIndex: query.pageIndex,
    pageSize: query.pageSize,
    sortColumn,
    descending: query.sortOrder?.toLowerCase() === 'desc',
    nameContains: query.name,
    statuses: intList(query.campaignStatus),
    types: intList(query.type),
    callFlowIds: intList(query.callFlow_Id),
    cliIds: intList(query.cli_id),
    startDateFrom: toBound(query.startDateFrom, false),
    startDateTo: toBound(query.startDateTo, true),
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
    } else if (!/^\d{1,10}$/.test(value)) {
      errors.add('filterQuery', `${field} takes a whole number.`);
    } else {
      const list = [Number(value)];
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
