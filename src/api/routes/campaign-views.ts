// How stored rows are shown by the phone-number listing: call times as the campaign zone's wall clock, in the
// document's `2022-02-12T12:16:15.637` form.
import { formatWallClock } from '../../domain/wall-clock.js';
import type { PageCall, PageSms, PhoneNumberWithOutcomes } from '../../store/repositories/campaigns.js';

/** One call as the listing shows it (the webhooks' call.completed sends the same). */
export function toCallResult(call: PageCall, timeZone: string) {
  return {
    startTime: formatWallClock(call.startTime, timeZone),
    endTime: call.endTime ? formatWallClock(call.endTime, timeZone) : null,
    stage: call.stage,
    outcome: call.outcome,
    userInput: call.userInput,
    price: call.price,
    isTransferCall: call.isTransferCall,
    attemptNumber: call.attemptNumber,
    secondsDuration: call.secondsDuration,
    answeredBy: call.answeredBy === 'human' || call.answeredBy === 'machine' ? (call.answeredBy as 'human' | 'machine') : null,
    voicemailLeft: call.voicemailLeft,
    endReason: call.endReason,
    optedOut: call.optedOut,
    firstAudioMs: call.firstAudioMs,
  };
}

/** One text as the listing shows it (the webhooks' sms.* events send the same). */
export function toSmsResult(sms: PageSms, timeZone: string) {
  return {
    sentAt: formatWallClock(sms.sentAt, timeZone),
    attemptNumber: sms.attemptNumber,
    text: sms.text,
    parts: sms.parts,
    status: sms.status,
    statusAt: formatWallClock(sms.statusAt, timeZone),
    error: sms.error,
  };
}

export function toPhoneNumberResult(entry: PhoneNumberWithOutcomes, timeZone: string) {
  return {
    id: entry.id,
    number: entry.number,
    name: entry.name,
    status: entry.status,
    statusReason: entry.statusReason,
    parameters: entry.parameters.map((parameter) => ({ value: parameter.value, parameter: parameter.parameter })),
    calls: entry.calls.map((call) => toCallResult(call, timeZone)),
    sms: entry.sms.map((sms) => toSmsResult(sms, timeZone)),
  };
}
