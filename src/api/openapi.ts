// The OpenAPI document's frame. Paths and schemas come from the route schemas themselves (@fastify/swagger).
import type { FastifyDynamicSwaggerOptions, SwaggerOptions } from '@fastify/swagger';
import { AttemptSelector, CallOutcome, CallStage, CampaignStatus, CampaignType, MAX_CALL_STAGE, type EnumMember } from '../domain/enums.js';

function table(title: string, members: readonly EnumMember[]): string {
  return `**${title}**\n\n| value | name | meaning |\n|---|---|---|\n${members
    .map((member) => `| ${member.value} | ${member.name} | ${member.description} |`)
    .join('\n')}`;
}

export const openApiInfo: NonNullable<Extract<SwaggerOptions, { openapi?: unknown }>['openapi']> = {
  openapi: '3.0.3',
  info: {
    title: 'Ringcast Voice Campaigns API',
    version: '1.0.0',
    description: [
      'Automated outbound voice campaigns. Client endpoints authenticate with `Authorization: Bearer <api key>` or',
      '`X-API-Key: <api key>`; operator endpoints (`/api/admin`) with `Authorization: Bearer <ADMIN_TOKEN>`.',
      'Request property names match case-insensitively. Errors are `application/problem+json`.',
      '',
      table('Campaign type', CampaignType.members),
      '',
      table('campaignStatus', CampaignStatus.members),
      '',
      table('Call stage', CallStage.members),
      '',
      `Stages 1..${MAX_CALL_STAGE} are call-flow step numbers: the last step the call reached, counting the flow's steps from 1.`,
      '',
      table('Call outcome', CallOutcome.members),
      '',
      table('AnswerPhoneMessage / SMSOnBusy', AttemptSelector.members),
    ].join('\n'),
  },
  tags: [
    { name: 'Voice campaigns', description: 'The documented Voice Campaigns API' },
    { name: 'Campaign lifecycle', description: 'Ringcast extensions: pause, resume, cancel, delete, add numbers' },
    { name: 'Campaign CSV', description: 'Ringcast extensions: a campaign or more numbers from a CSV upload, and the results as CSV' },
    { name: 'Campaign summary', description: "Ringcast extensions: a campaign's counts now, and as a live event stream" },
    { name: 'Discovery', description: "The caller's own call flows and caller IDs" },
    { name: 'Operator', description: 'Clients, API keys, call flows and CLIs (ADMIN_TOKEN)' },
  ],
  components: {
    securitySchemes: {
      bearerAuth: { type: 'http', scheme: 'bearer', description: 'Client API key, or ADMIN_TOKEN for /api/admin' },
      apiKeyHeader: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
    },
  },
  security: [{ bearerAuth: [] }, { apiKeyHeader: [] }],
};

/** Options for @fastify/swagger: the frame above, with shared schemas named by their $id. */
export const swaggerOptions: FastifyDynamicSwaggerOptions = {
  openapi: openApiInfo,
  // Components are named by $id ("Problem") rather than the plugin's default def-0, def-1...
  refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`) },
};
