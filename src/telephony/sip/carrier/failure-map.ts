// What a SIP final response means for the campaign (issue 5, "Outcomes"). Pure: the carrier passes the status code,
// the dialer turns the failure into a call outcome (src/domain/outcome-policy.ts) and a retry decision.
import type { DialFailure } from '../../carrier.js';

export function failureForStatus(status: number): DialFailure {
  switch (status) {
    case 486: // Busy Here
    case 600: // Busy Everywhere
      return 'busy';
    case 408: // Request Timeout: also what Timer B and our own ring timeout amount to
    case 480: // Temporarily Unavailable: phone off, out of coverage
    case 487: // Request Terminated: we cancelled at the ring timeout
      return 'no_answer';
    case 603: // Decline
      return 'rejected';
    case 404: // Not Found
    case 484: // Address Incomplete
    case 604: // Does Not Exist Anywhere
      return 'invalid_number';
    default:
      return 'failed';
  }
}

/** Failures worth trying on another trunk: the trunk itself, not the callee, could not take the call. */
export function isTrunkFailure(status: number): boolean {
  return status === 503 || status === 502 || status === 500 || status === 504;
}
