// The fields of a campaign in the list endpoints, spelled as the document spells them; sortable and filterable.
/** The list fields one can sort or filter by, as spelled in the response. */
export const CAMPAIGN_LIST_FIELDS = [
  'id',
  'name',
  'startDate',
  'starttime',
  'finishtime',
  'type',
  'callFlow_Id',
  'campaignStatus',
  'callCount',
  'cli_id',
] as const;
export type CampaignListField = (typeof CAMPAIGN_LIST_FIELDS)[number];
