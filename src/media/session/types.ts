// The seam between call control (src/telephony/sip/sip-carrier.ts) and the media engine (RTP in worker threads).
// Call control learns a local RTP address to put in its SDP offer, starts the stream once the answer names the far
// end, and then asks for audio to be played, digits to be listened for and the answering-machine verdict.

export type G711Codec = 'PCMU' | 'PCMA';

export interface RemoteMedia {
  /** The far end's RTP address and port from the SDP answer: only packets from here are accepted. */
  address: string;
  port: number;
  codec: G711Codec;
  /** The payload type the answer used for the codec (0 for PCMU, 8 for PCMA unless remapped). */
  payloadType: number;
  /** RFC 4733 telephone-event payload type from the answer, when it offered one. */
  dtmfPayloadType?: number;
}

export type DigitSource = 'rfc4733' | 'inband';

export interface AmdParams {
  /** Mean absolute sample below which a 20 ms frame is silence. */
  silenceThreshold: number;
  /** Machine when nothing is said for this long at the start. */
  initialSilenceMs: number;
  /** Machine when the greeting (voiced time) lasts this long. */
  greetingMs: number;
  /** Human when this much silence follows the first words. */
  afterGreetingSilenceMs: number;
  /** Voiced time that makes a word. */
  minWordLengthMs: number;
  /** Silence that separates words. */
  betweenWordsSilenceMs: number;
  /** Machine at this many words. */
  maximumNumberOfWords: number;
  /** Machine when one word lasts this long. */
  maximumWordLengthMs: number;
  /** Give up (not sure, treated as human) after this long. */
  totalAnalysisTimeMs: number;
}

export interface AmdDecision {
  result: 'human' | 'machine' | 'notsure';
  /** Which rule decided, e.g. "initial silence 2500 ms", "3 words", "silence after greeting 800 ms". */
  reason: string;
  /** Audio analysed when the decision was made. */
  afterMs: number;
}

export interface MediaSessionStats {
  packetsSent: number;
  packetsReceived: number;
  /** Packets from any address other than the negotiated peer, dropped. */
  packetsRejected: number;
  /** Sequence gaps seen by the receive path. */
  packetsLost: number;
  packetsReordered: number;
  /** RFC 3550 interarrival jitter of the stream received last, in milliseconds (0 before two packets). */
  jitterMs?: number;
}

export interface MediaSession {
  readonly localAddress: string;
  readonly localPort: number;
  /** Begins sending (silence until something plays) and receiving from the peer the answer named. */
  start(remote: RemoteMedia): void;
  /** Plays 8 kHz mono PCM paced at 20 ms; resolves when it has all been sent, or `completed: false` when stopped. */
  play(pcm8k: Int16Array): Promise<{ completed: boolean }>;
  stopPlayback(): void;
  /** Runs answering-machine detection on what the far end sends from now on. */
  detectAnsweringMachine(params?: Partial<AmdParams>): Promise<AmdDecision>;
  /** For a machine: resolves when its greeting ends (a beep, or `silenceMs` of silence), or after `maxWaitMs`. */
  waitForGreetingEnd(options?: { silenceMs?: number; maxWaitMs?: number }): Promise<{ reason: 'beep' | 'silence' | 'timeout' }>;
  /** Every digit the far end presses, RFC 4733 or in-band, each reported once. */
  onDigit(listener: (digit: string, source: DigitSource) => void): () => void;
  stats(): Promise<MediaSessionStats>;
  close(): Promise<void>;
}

export interface MediaEngine {
  /** Binds an RTP port on `bindAddress` (an even port from the configured range) in one of the media workers. */
  openSession(options: { bindAddress: string }): Promise<MediaSession>;
  close(): Promise<void>;
}
