// The call id convention shared by the dialer and the carriers: `<phoneNumberId>:<attemptNumber>`, e.g. `4711:2`.
//
// One (number, attempt) is dialled at most once, so this id is unique and stable: it is the same whichever dialer
// process places the call, and a retry after a crash cannot reuse it by accident. The carrier port carries no attempt
// number of its own (a real network has no such notion); the simulated carrier reads it from here so that scripted
// test numbers can behave per attempt ("busy on attempts 1 and 2, then answers") across processes, and seeds each
// call's randomness with it so that a retry is a fresh draw.

export interface CallIdParts {
  phoneNumberId: string;
  attemptNumber: number;
}

export function formatCallId(phoneNumberId: string | number, attemptNumber: number): string {
  if (!Number.isInteger(attemptNumber) || attemptNumber < 1) {
    throw new RangeError(`attemptNumber must be a positive integer, got ${attemptNumber}`);
  }
  return `${phoneNumberId}:${attemptNumber}`;
}

/** The parts of a conventional call id, or undefined when `callId` does not follow the convention. */
export function parseCallId(callId: string): CallIdParts | undefined {
  const match = /^(.+):([1-9]\d{0,8})$/.exec(callId);
  if (!match) return undefined;
  return { phoneNumberId: match[1] as string, attemptNumber: Number(match[2]) };
}

/** The attempt number in `callId`; 1 when the id does not follow the convention (a one-off call, a CLI test). */
export function attemptNumberOf(callId: string): number {
  return parseCallId(callId)?.attemptNumber ?? 1;
}
