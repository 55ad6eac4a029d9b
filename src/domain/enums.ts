// Every integer enumeration of the public API, defined once. The OpenAPI schemas (api/schemas) and the README
// tables are generated from these lists, so a value and its meaning cannot drift apart.

export interface EnumMember {
  readonly value: number;
  readonly name: string;
  readonly description: string;
}

function defineEnum<const M extends readonly EnumMember[]>(members: M) {
  const byName = Object.fromEntries(members.map((member) => [member.name, member.value])) as {
    readonly [K in M[number]['name']]: Extract<M[number], { name: K }>['value'];
  };
  return { members, ...byName, values: members.map((member) => member.value) as M[number]['value'][] } as const;
}

/** Campaign `type`. The document's examples show 1 for a voice campaign; it is the only kind so far. */
export const CampaignType = defineEnum([{ value: 1, name: 'Voice', description: 'Outbound voice campaign' }] as const);
export type CampaignType = (typeof CampaignType.values)[number];

/** `campaignStatus`. The document shows 5 for a finished campaign that placed calls. */
export const CampaignStatus = defineEnum([
  { value: 0, name: 'Scheduled', description: 'Created; its first calling window has not opened yet' },
  { value: 1, name: 'Running', description: 'A calling window is open: due numbers are dialled and retries wait in it for their interval' },
  { value: 2, name: 'Waiting', description: 'Between calling windows: one has closed and another is to come' },
  { value: 3, name: 'Paused', description: 'Paused by the client; no new calls start until resumed' },
  { value: 4, name: 'Cancelled', description: 'Cancelled by the client; no further calls' },
  { value: 5, name: 'Completed', description: 'The last window has closed or every number is finished' },
] as const);
export type CampaignStatus = (typeof CampaignStatus.values)[number];

/**
 * Call `stage`: the last call-flow step the call reached. Steps are numbered from 1 in the order of the flow's
 * `steps` list (so the document's stage 12 is "reached step 12"); 0 means the flow never ran: the call was not
 * answered, or an answering machine answered (its `voicemailLeft` says whether the message was left).
 */
export const CallStage = defineEnum([
  { value: 0, name: 'FlowNotReached', description: 'Not answered, or answered by a machine: no call-flow step ran' },
] as const);
/** The highest stage: a flow has at most this many steps (src/callflow/schema.ts FLOW_LIMITS.stepsMax). */
export const MAX_CALL_STAGE = 200;
export type CallStage = number;

/** Call `outcome`. The document's completed answered call shows outcome 5. */
export const CallOutcome = defineEnum([
  { value: 0, name: 'InProgress', description: 'The call has not ended yet' },
  { value: 1, name: 'Busy', description: 'Busy (SIP 486/600); retried while attempts remain' },
  { value: 2, name: 'NoAnswer', description: 'Rang out unanswered (SIP 408/480 or ring timeout); retried' },
  { value: 3, name: 'Failed', description: 'Transient network or carrier failure; retried' },
  { value: 4, name: 'AnsweringMachine', description: 'An answering machine answered; retried' },
  { value: 5, name: 'Answered', description: 'A person answered and the call flow ran; the number is finished' },
  { value: 6, name: 'Rejected', description: 'Declined by the callee (SIP 603); the number is finished' },
  { value: 7, name: 'InvalidNumber', description: 'The network says the number does not exist (SIP 404/484)' },
  { value: 8, name: 'Abandoned', description: 'Answered but no message could be played in time' },
  { value: 9, name: 'Interrupted', description: 'A dialer stopped mid-call (crash or shutdown); not repeated' },
] as const);
export type CallOutcome = (typeof CallOutcome.values)[number];

/** AnswerPhoneMessage and SMSOnBusy share one set of values (the document's table). */
export const AttemptSelector = defineEnum([
  { value: 0, name: 'Never', description: 'Never' },
  { value: 1, name: 'OnTheFirstCall', description: 'On the first attempt' },
  { value: 2, name: 'OnTheLastCall', description: 'On the last attempt' },
] as const);
export type AttemptSelector = (typeof AttemptSelector.values)[number];

/** A Markdown list of an enumeration's values, for OpenAPI descriptions. */
export function describeEnum(members: readonly EnumMember[]): string {
  return members.map((member) => `${member.value} = ${member.name}: ${member.description}`).join('\n');
}

/**
 * Where a phone number stands in its campaign (a Ringcast extension, shown as `status` on each number).
 * Final statuses say why the number is finished, including when attempts were left unused.
 */
export const NumberStatus = defineEnum([
  { value: 0, name: 'Pending', description: 'Waiting for its next attempt' },
  { value: 1, name: 'Dialling', description: 'A dialer holds it and a call is in progress' },
  { value: 2, name: 'Answered', description: 'Finished: a person answered' },
  { value: 3, name: 'Rejected', description: 'Finished: the callee declined the call (SIP 603)' },
  { value: 4, name: 'InvalidNumber', description: 'Finished: the network says the number does not exist' },
  { value: 5, name: 'AttemptsExhausted', description: 'Finished: every attempt was used without a person answering' },
  { value: 6, name: 'WindowsClosed', description: 'Finished: the last calling window closed with attempts left unused' },
  { value: 7, name: 'Cancelled', description: 'Finished: the campaign was cancelled with attempts left unused' },
  {
    value: 8,
    name: 'Suppressed',
    description: "Finished: on a do-not-call list when it was due (the client's, the operator's, or TPS/CTPS for a marketing campaign); see statusReason",
  },
  {
    value: 9,
    name: 'RepeatRule',
    description: "Finished: Ofcom's repeat-call rule (72 h after an abandoned call, 24 h after a machine that got no message) left no calling window; see statusReason",
  },
] as const);
export type NumberStatus = (typeof NumberStatus.values)[number];
