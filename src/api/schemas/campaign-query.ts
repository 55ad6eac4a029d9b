// Paging, sorting and filtering of GET /api/campaigns/voice/p. Parameter names match case-insensitively.
//   pageIndex (1-based, default 1), pageSize (1..1000, default 10)
//   sortColumn (alias sortBy): any list field; sortOrder: asc (default) | desc
//   name: contains, case-insensitive; campaignStatus, type, callFlow_Id, cli_id: one value or a comma list
//   startDateFrom / startDateTo: YYYY-MM-DD or YYYY-MM-DDTHH:mm[:ss], inclusive, compared with the list's startDate
//   filterColumn + filterQuery: the generic pair some clients send (name: contains; other columns: equals)
import { Type, type Static } from '@sinclair/typebox';
import { MAX_PAGE_SIZE } from './campaigns.js';
import { CAMPAIGN_LIST_FIELDS } from '../../domain/campaign-list.js';
import { INT4_MAX, IntegerSchema } from '../strict-integer.js';
import { TEXT_PATTERNS } from '../validation-errors.js';


const IntList = (description: string) =>
  Type.String({ pattern: TEXT_PATTERNS.integerList.pattern, description: `${description}: one value or a comma-separated list` });
const DateTimeBound = (description: string) => Type.String({ pattern: TEXT_PATTERNS.dateOrDateTime.pattern, description });

export const CampaignPageQuery = Type.Object({
  pageIndex: IntegerSchema({ minimum: 1, maximum: INT4_MAX, default: 1, description: '1-based page number' }),
  pageSize: IntegerSchema({ minimum: 1, maximum: MAX_PAGE_SIZE, default: 10, description: `Items per page, at most ${MAX_PAGE_SIZE}` }),
  sortColumn: Type.Optional(
    Type.String({ description: `Field to sort by: ${CAMPAIGN_LIST_FIELDS.join(', ')} (any case)`, 'x-aliases': ['sortBy'] } as never),
  ),
  sortOrder: Type.Optional(Type.String({ pattern: TEXT_PATTERNS.ascOrDesc.pattern, description: 'asc (default) or desc' })),
  name: Type.Optional(Type.String({ maxLength: 100, description: 'Name contains (case-insensitive)' })),
  campaignStatus: Type.Optional(IntList('Campaign status')),
  type: Type.Optional(IntList('Campaign type')),
  callFlow_Id: Type.Optional(IntList('Call flow id')),
  cli_id: Type.Optional(IntList('CLI id')),
  startDateFrom: Type.Optional(DateTimeBound('Earliest startDate, inclusive')),
  startDateTo: Type.Optional(DateTimeBound('Latest startDate, inclusive (a bare date includes that whole day)')),
  filterColumn: Type.Optional(Type.String({ description: 'Generic filter: a list field name' })),
  filterQuery: Type.Optional(Type.String({ maxLength: 100, description: 'Generic filter value' })),
});
export type CampaignPageQuery = Static<typeof CampaignPageQuery>;
