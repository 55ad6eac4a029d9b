// One call's media inside a media worker: its UDP socket, the paced sending stream, and the receive path
//   socket -> peer check -> RTP parse -> payload type: audio -> G.711 decode -> reorder buffer -> 20 ms frames
//                                                                  -> AMD, greeting end, in-band DTMF (when wanted)
//                                                     telephone-event -> RFC 4733 digits
// Only packets whose source address and port are exactly the ones the SDP answer named are accepted: anyone else
// who learns the port could otherwise inject audio or digits (no "latching" onto the first sender). Malformed packets
// are counted and dropped; nothing on the receive path throws.
//
// The worker's single pacing loop calls `tick`; replies and digits leave through the hooks.
//
// The socket is connected to the far end once it is known (start): a send then needs neither Node's per-packet
// address lookup nor the kernel's per-packet route lookup (about 10 us of CPU per packet unconnected, 6.5 connected,
// on loopback), and the kernel itself drops datagrams from any other source, before they cost a wake-up. The check
// in `receive` stays for what was queued before the connect.
//
// When the call ends the socket outlives the session: `release` disconnects it and takes this session's listeners
// off, and the worker keeps it for a later call (rtp-socket-pool.ts).
import type { AddressInfo } from 'node:net';
import type { Socket, RemoteInfo } from 'node:dgram';
import { decodeG711, type G711Law } from '../codec/g711.js';
import { parseRtpPacket } from '../rtp/rtp-packet.js';
import { ReceiveBuffer, type ReceiveBufferStats } from '../rtp/receive-buffer.js';
import { InterarrivalJitter } from '../rtp/interarrival-jitter.js';
import { RtpSender } from '../rtp/rtp-sender.js';
import { TelephoneEventReceiver } from '../dtmf/rfc4733.js';
import { InbandDtmfDetector } from '../dtmf/goertzel.js';
import { AmdDetector } from '../amd/amd-detector.js';
import { DEFAULT_GREETING_MAX_WAIT_MS, GreetingEndDetector } from '../amd/greeting-end.js';
import type { AmdDecision, AmdParams, DigitSource, G711Codec, RemoteMedia } from './types.js';
import type { MediaErrorCode, WorkerSessionStats } from './worker-protocol.js';
import { closeQuietly } from './rtp-socket-pool.js';

/**
 * The detectors count analysed audio, so a far end that sends nothing would keep them waiting for ever: each wait
 * also has a wall-clock limit of its own analysis time plus this margin (the reorder buffer holds audio back briefly).
 */
const DETECTOR_WALL_CLOCK_MARGIN_MS = 1000;

/**
 * A far end that sends nothing (silence suppression, or a peer that only answers) is silent, and a person who says
 * nothing is exactly what AMD's initial-silence rule is for. When received audio falls this far behind the wall
 * clock, the detectors are fed silence for the missing time; real packets arriving later are analysed as usual.
 */
const MISSING_AUDIO_AS_SILENCE_AFTER_MS = 300;
const SILENT_FRAME = new Int16Array(160);

export interface RtpSessionHooks {
  reply(requestId: number, value: unknown): void;
  fail(requestId: number, code: MediaErrorCode, message: string): void;
  digit(digit: string, source: DigitSource): void;
  /** After each datagram this session's socket received (the worker sends frames that fell due meanwhile). */
  received?(): void;
}

interface AmdWait {
  requestId: number;
  detector: AmdDetector;
  deadlineMs: number;
  startedAtMs: number;
  analysedMs: number;
}

interface GreetingWait {
  requestId: number;
  detector: GreetingEndDetector;
  deadlineMs: number;
  startedAtMs: number;
  analysedMs: number;
}

const lawOf = (codec: G711Codec): G711Law => (codec === 'PCMU' ? 'mulaw' : 'alaw');

export class RtpSession {
  private remote: RemoteMedia | null = null;
  /** Where packets go: the remote address, in the socket's family. */
  private sendAddress = '';
  /** "address port" the socket is connected to; null while unconnected or connecting. */
  private connectedTo: string | null = null;
  private connecting = false;
  private readonly sendConnected = (packet: Uint8Array): void => this.socket.send(packet);
  private readonly sendAddressed = (packet: Uint8Array): void => this.socket.send(packet, this.remote!.port, this.sendAddress);
  private readonly sender: RtpSender;
  private receiveBuffer = new ReceiveBuffer();
  /** Counters of receive buffers replaced after an SSRC change. */
  private readonly previousBufferStats: ReceiveBufferStats[] = [];
  private remoteSsrc: number | null = null;
  private readonly telephoneEvents = new TelephoneEventReceiver();
  private inbandDtmf: InbandDtmfDetector | null = null;
  /** The far end sends RFC 4733 events: its in-band tones (if any also reach us) would be the same digits again. */
  private telephoneEventsSeen = false;
  private listeningForDigits = false;
  private amdWaits: AmdWait[] = [];
  private greetingWaits: GreetingWait[] = [];
  private closed = false;
  /** RFC 3550 interarrival jitter of the current stream (G.711: an 8 kHz RTP clock). */
  private readonly jitter = new InterarrivalJitter(8000);
  private readonly counters = {
    packetsReceived: 0,
    packetsRejected: 0,
    packetsInvalid: 0,
    /** From the peer with a payload type neither the codec's nor telephone-event's (comfort noise, RFC 3389...). */
    packetsOtherPayload: 0,
    sendErrors: 0,
  };

  private readonly onMessage = (message: Buffer, remoteInfo: RemoteInfo): void => {
    this.receive(message, remoteInfo);
    this.hooks.received?.();
  };
  // Send failures (ICMP unreachable reported on the next send, ENOBUFS...) are counted, never fatal.
  private readonly onError = (): void => {
    this.counters.sendErrors++;
  };

  /** `local` is the socket's own address (getsockname, read once when it was bound). */
  constructor(
    private readonly socket: Socket,
    readonly local: AddressInfo,
    private readonly hooks: RtpSessionHooks,
    private readonly nowMs: () => number,
  ) {
    this.sender = new RtpSender({ law: 'mulaw', payloadType: 0, startMs: nowMs() });
    socket.on('message', this.onMessage);
    socket.on('error', this.onError);
  }

  /** True once start() named the far end: the pacing loop then sends for this session. */
  get sending(): boolean {
    return this.remote !== null && !this.closed;
  }

  /**
   * Starts (or, on a later call, redirects) the stream to `remote`. The first start's first frame goes at
   * `firstFrameAtMs` (the worker spreads streams over the frame interval, frame-phases.ts), else at once.
   */
  start(remote: RemoteMedia, firstFrameAtMs?: number): void {
    if (this.closed) return;
    const first = this.remote === null;
    this.remote = { ...remote, address: canonicalAddress(remote.address) };
    // An IPv6 socket reaches an IPv4 peer through its mapped address (a dual-stack socket bound to ::).
    const mapped = this.local.family === 'IPv6' && !this.remote.address.includes(':');
    this.sendAddress = mapped ? `::ffff:${this.remote.address}` : this.remote.address;
    this.sender.setFormat(lawOf(remote.codec), remote.payloadType);
    if (first) this.sender.restartClock(firstFrameAtMs ?? this.nowMs());
    this.connectToRemote();
  }

  /**
   * Connects the socket to the current remote, replacing an earlier connection (a re-INVITE may move the far end).
   * Until the connect completes, packets go out addressed (Node allows that only while the socket is unconnected or
   * connecting; the callback runs on the same tick as the state change, before any pacing timer can fire).
   */
  private connectToRemote(): void {
    if (this.connecting || this.closed || !this.remote) return;
    const port = this.remote.port;
    const key = `${this.sendAddress} ${port}`;
    if (this.connectedTo === key) return;
    if (this.connectedTo !== null) {
      this.socket.disconnect();
      this.connectedTo = null;
    }
    this.connecting = true;
    this.socket.connect(port, this.sendAddress, () => {
      this.connecting = false;
      if (this.closed) return;
      this.connectedTo = key;
      this.connectToRemote(); // the remote moved while connecting
    });
  }

  play(requestId: number, pcm8k: Int16Array): void {
    if (this.closed) return this.hooks.reply(requestId, { completed: false });
    this.sender.enqueue(requestId, pcm8k);
  }

  stopPlayback(): void {
    for (const id of this.sender.stopPlayback()) this.hooks.reply(id, { completed: false });
  }

  detectAnsweringMachine(requestId: number, params: Partial<AmdParams>): void {
    let detector: AmdDetector;
    try {
      detector = new AmdDetector(params);
    } catch (error) {
      return this.hooks.fail(requestId, 'MEDIA_BAD_ARGUMENT', (error as Error).message);
    }
    const startedAtMs = this.nowMs();
    const deadlineMs = startedAtMs + detector.params.totalAnalysisTimeMs + DETECTOR_WALL_CLOCK_MARGIN_MS;
    this.amdWaits.push({ requestId, detector, deadlineMs, startedAtMs, analysedMs: 0 });
  }

  waitForGreetingEnd(requestId: number, options: { silenceMs?: number; maxWaitMs?: number }): void {
    let detector: GreetingEndDetector;
    try {
      detector = new GreetingEndDetector(options);
    } catch (error) {
      return this.hooks.fail(requestId, 'MEDIA_BAD_ARGUMENT', (error as Error).message);
    }
    const maxWaitMs = options.maxWaitMs ?? DEFAULT_GREETING_MAX_WAIT_MS;
    const startedAtMs = this.nowMs();
    this.greetingWaits.push({ requestId, detector, deadlineMs: startedAtMs + maxWaitMs + DETECTOR_WALL_CLOCK_MARGIN_MS, startedAtMs, analysedMs: 0 });
  }

  listenForDigits(listening: boolean): void {
    this.listeningForDigits = listening;
    if (!listening) this.inbandDtmf = null;
  }

  nextDueMs(): number {
    return this.sender.nextDueMs();
  }

  /** Sends the frames due at `nowMs`, settles finished playbacks and detector waits past their wall-clock limit. */
  tick(nowMs: number): void {
    const remote = this.remote;
    if (!remote || this.closed) return;
    const finished = this.sender.tick(nowMs, this.connectedTo === null ? this.sendAddressed : this.sendConnected);
    for (const id of finished) this.hooks.reply(id, { completed: true });
    if (this.amdWaits.length > 0 || this.greetingWaits.length > 0) {
      this.fillMissingAudio(nowMs);
      this.expireWaits(nowMs);
    }
  }

  stats(): WorkerSessionStats {
    const buffers = [...this.previousBufferStats, this.receiveBuffer.stats()];
    const sum = (key: keyof ReceiveBufferStats) => buffers.reduce((total, stats) => total + stats[key], 0);
    const sent = this.sender.stats();
    return {
      packetsSent: sent.packetsSent,
      framesSkipped: sent.framesSkipped,
      packetsReceived: this.counters.packetsReceived,
      packetsRejected: this.counters.packetsRejected,
      packetsLost: sum('packetsLost'),
      jitterMs: this.jitter.jitterMs,
      packetsReordered: sum('packetsReordered'),
      packetsInvalid: this.counters.packetsInvalid,
      packetsDuplicate: sum('packetsDuplicate'),
      packetsLate: sum('packetsLate'),
      sendErrors: this.counters.sendErrors,
    };
  }

  /** Ends the session and closes its socket. */
  async close(): Promise<void> {
    if (!this.end()) return;
    await new Promise<void>((resolve) => closeQuietly(this.socket, resolve));
  }

  /**
   * Ends the session and hands its socket back for another call: the socket, unconnected and without this session's
   * listeners, or undefined when it cannot serve again (a connect still under way would connect it later) and has
   * been closed.
   */
  release(): Socket | undefined {
    if (!this.end()) return undefined;
    if (!this.connecting) {
      try {
        if (this.connectedTo !== null) this.socket.disconnect();
        // The taker listens for errors from here on (the pool does in the same turn).
        this.socket.off('error', this.onError);
        return this.socket;
      } catch {
        // closed under us: nothing to give back
      }
    }
    closeQuietly(this.socket);
    return undefined;
  }

  /** Unfinished playbacks resolve as not completed, detector waits fail, received datagrams are no longer read. */
  private end(): boolean {
    if (this.closed) return false;
    this.closed = true;
    this.stopPlayback();
    for (const wait of [...this.amdWaits, ...this.greetingWaits]) {
      this.hooks.fail(wait.requestId, 'MEDIA_SESSION_CLOSED', 'the media session was closed');
    }
    this.amdWaits = [];
    this.greetingWaits = [];
    this.socket.off('message', this.onMessage);
    return true;
  }

  private receive(message: Buffer, from: RemoteInfo): void {
    const remote = this.remote;
    if (this.closed) return;
    if (!remote || from.port !== remote.port || normaliseAddress(from.address) !== remote.address) {
      this.counters.packetsRejected++;
      return;
    }
    const parsed = parseRtpPacket(message);
    if (!parsed.ok) {
      this.counters.packetsInvalid++;
      return;
    }
    const packet = parsed.packet;
    this.counters.packetsReceived++;
    if (packet.payloadType === remote.payloadType) {
      if (this.remoteSsrc !== packet.ssrc) {
        // RFC 3550 section 8: a new SSRC is a new stream with its own sequence and timestamp spaces.
        if (this.remoteSsrc !== null) {
          this.analyse(this.receiveBuffer.flush());
          this.previousBufferStats.push(this.receiveBuffer.stats());
          this.receiveBuffer = new ReceiveBuffer();
          this.jitter.reset();
        }
        this.remoteSsrc = packet.ssrc;
      }
      this.jitter.packet(this.nowMs(), packet.timestamp);
      // Decoded only while something analyses the audio (AMD, a greeting's end, in-band digits): most of a call
      // plays prompts to a listener, and its packets are only counted (loss, order, jitter).
      const analysing = this.amdWaits.length > 0 || this.greetingWaits.length > 0 || (this.listeningForDigits && !this.telephoneEventsSeen);
      const samples = analysing ? decodeG711(lawOf(remote.codec), packet.payload) : null;
      const frames = this.receiveBuffer.push({ sequenceNumber: packet.sequenceNumber, timestamp: packet.timestamp, samples, sampleCount: packet.payload.length });
      if (frames.length > 0) this.analyse(frames);
    } else if (remote.dtmfPayloadType !== undefined && packet.payloadType === remote.dtmfPayloadType) {
      this.telephoneEventsSeen = true;
      this.inbandDtmf = null;
      const digits = this.telephoneEvents.push(packet);
      if (this.listeningForDigits) for (const digit of digits) this.hooks.digit(digit, 'rfc4733');
    } else {
      this.counters.packetsOtherPayload++;
    }
  }

  private analyse(frames: Int16Array[]): void {
    for (const frame of frames) {
      if (this.amdWaits.length > 0) this.amdWaits = this.amdWaits.filter((wait) => this.feedAmd(wait, frame));
      if (this.greetingWaits.length > 0) {
        this.greetingWaits = this.greetingWaits.filter((wait) => this.feedGreeting(wait, frame));
      }
      if (this.listeningForDigits && !this.telephoneEventsSeen) {
        this.inbandDtmf ??= new InbandDtmfDetector();
        for (const digit of this.inbandDtmf.push(frame)) this.hooks.digit(digit, 'inband');
      }
    }
  }

  /** Returns whether the wait goes on. */
  private feedAmd(wait: AmdWait, frame: Int16Array): boolean {
    wait.analysedMs += (frame.length * 1000) / 8000;
    const decision = wait.detector.pushFrame(frame);
    if (decision === null) return true;
    this.hooks.reply(wait.requestId, decision);
    return false;
  }

  private feedGreeting(wait: GreetingWait, frame: Int16Array): boolean {
    wait.analysedMs += (frame.length * 1000) / 8000;
    const reason = wait.detector.pushFrame(frame);
    if (reason === null) return true;
    this.hooks.reply(wait.requestId, { reason });
    return false;
  }

  private fillMissingAudio(nowMs: number): void {
    const behind = (wait: AmdWait | GreetingWait) => nowMs - wait.startedAtMs - MISSING_AUDIO_AS_SILENCE_AFTER_MS - wait.analysedMs >= 20;
    this.amdWaits = this.amdWaits.filter((wait) => {
      while (behind(wait)) if (!this.feedAmd(wait, SILENT_FRAME)) return false;
      return true;
    });
    this.greetingWaits = this.greetingWaits.filter((wait) => {
      while (behind(wait)) if (!this.feedGreeting(wait, SILENT_FRAME)) return false;
      return true;
    });
  }

  private expireWaits(nowMs: number): void {
    if (this.amdWaits.some((wait) => nowMs >= wait.deadlineMs)) {
      this.amdWaits = this.amdWaits.filter((wait) => {
        if (nowMs < wait.deadlineMs) return true;
        const waitedMs = wait.detector.params.totalAnalysisTimeMs + DETECTOR_WALL_CLOCK_MARGIN_MS;
        const decision: AmdDecision = {
          result: 'notsure',
          reason: `only ${Math.round(wait.analysedMs)} ms of audio arrived in ${waitedMs} ms`,
          afterMs: wait.analysedMs,
        };
        this.hooks.reply(wait.requestId, decision);
        return false;
      });
    }
    if (this.greetingWaits.some((wait) => nowMs >= wait.deadlineMs)) {
      this.greetingWaits = this.greetingWaits.filter((wait) => {
        if (nowMs < wait.deadlineMs) return true;
        this.hooks.reply(wait.requestId, { reason: 'timeout' });
        return false;
      });
    }
  }
}

/** An IPv4 address seen through a dual-stack socket arrives as ::ffff:a.b.c.d. */
function normaliseAddress(address: string): string {
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice('::ffff:'.length) : address;
}

/** The form the socket reports a sender in: IPv6 compressed and lower-case (an SDP may write 0:0:0:0:0:0:0:1). */
function canonicalAddress(address: string): string {
  const plain = normaliseAddress(address.toLowerCase());
  if (!plain.includes(':')) return plain;
  return normaliseAddress(new URL(`http://[${plain}]/`).hostname.slice(1, -1));
}
