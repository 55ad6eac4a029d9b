// The API's shapes, derived from the server's own TypeBox schemas (type-only imports: nothing of the server is bundled),
// so the page and the API cannot drift apart.
import type { Static } from '@sinclair/typebox';
import type {
  AddedPhoneNumbersSchema,
  CampaignDetailSchema,
  CampaignListItemSchema,
  CampaignPageSchema,
  CreateCampaignBody,
  CreatedCampaignSchema,
  PhoneNumberResultSchema,
} from '../../src/api/schemas/campaigns.js';
import type { CampaignSummarySchema } from '../../src/api/schemas/campaign-summary.js';
import type { ApiKeySchema, CallFlowSchema, CallFlowVersionSchema, ClientSchema, CliSchema, CreatedApiKeySchema, CreatedClientSchema } from '../../src/api/schemas/tenants.js';

export type CampaignListItem = Static<typeof CampaignListItemSchema>;
export type CampaignPage = Static<typeof CampaignPageSchema>;
export type CampaignDetail = Static<typeof CampaignDetailSchema>;
export type CreateCampaign = Static<typeof CreateCampaignBody>;
export type CreatedCampaign = Static<typeof CreatedCampaignSchema>;
export type AddedPhoneNumbers = Static<typeof AddedPhoneNumbersSchema>;
export type PhoneNumberResult = Static<typeof PhoneNumberResultSchema>;
export type CallFlow = Static<typeof CallFlowSchema>;
export type CallFlowVersion = Static<typeof CallFlowVersionSchema>;
export type Cli = Static<typeof CliSchema>;
export type Client = Static<typeof ClientSchema>;
export type CreatedClient = Static<typeof CreatedClientSchema>;
export type ApiKey = Static<typeof ApiKeySchema>;
export type CreatedApiKey = Static<typeof CreatedApiKeySchema>;

/** GET /api/campaigns/voice/:id/summary and each `summary` event of /:id/live. */
export type CampaignSummary = Static<typeof CampaignSummarySchema>;
