// What a carrier tells whoever watches it (src/observability/metrics.ts). Called once per call or per prompt, never
// per packet; an observer must not allocate or do I/O.
import type { MediaSessionStats } from '../media/session/types.js';

export interface CarrierObserver {
  /** The final response to one of our INVITEs (200 when answered; 408 when the trunk never answered). */
  inviteFinalResponse(status: number): void;
  /** An answered call's media closed with these totals. */
  mediaSessionClosed(stats: MediaSessionStats): void;
  /** A text-to-speech prompt was looked up in the disk cache: found (hit) or rendered (miss). */
  ttsCacheLookup(hit: boolean): void;
}
