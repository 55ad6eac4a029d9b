// The media engine end to end on loopback: real worker threads, real UDP sockets. Two sessions talk to each other
// (audio paced at 50 packets/s, decoded and analysed on the far side), raw sockets play the far end where the test
// must see or forge the wire (RTP header fields, a stranger's packets, RFC 4733 events), and a crashed worker fails
// what waits on it instead of leaving it hanging.
import dgram from 'node:dgram';
import os from 'node:os';
import { readFileSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { MediaError, startMediaEngine, type WorkerMediaEngine, type WorkerMediaSession } from '../../src/media/session/media-engine.js';
import { parseRtpPacket, serializeRtpPacket, type RtpPacket } from '../../src/media/rtp/rtp-packet.js';
import { decodeMulaw, encodeMulaw } from '../../src/media/codec/g711.js';
import type { RemoteMedia } from '../../src/media/session/types.js';
import { QUARANTINE_MS } from '../../src/media/session/rtp-socket-pool.js';

const HOST = '127.0.0.1';
/**
 * Below every other test's RTP ports (the SIP carrier tests bind 20000-31999, the servers started with CARRIER=sip
 * the default 16384-32767) and Linux's ephemeral ones: a far end of another test file still sending to a port it was
 * given could otherwise reach a session here that bound the same port after it, and count as a rejected packet
 * (seen once in a full run: packetsRejected 1 in "A plays to B").
 */
const PORT_RANGE = { min: 14000, max: 15999 };

const capturedDtmf = readFileSync(new URL('../fixtures/rtp/sipp-dtmf-2833-1.hex', import.meta.url), 'utf8')
  .split('\n')
  .filter((line) => line !== '' && !line.startsWith('#'))
  .map((line) => Buffer.from(line, 'hex'));

/** 8 kHz tones: one frequency, or a DTMF pair. */
function tone(frequenciesHz: number[], durationMs: number, amplitude = 8000): Int16Array {
  return Int16Array.from({ length: (durationMs * 8000) / 1000 }, (_, i) =>
    Math.round(frequenciesHz.reduce((sum, f) => sum + amplitude * Math.sin((2 * Math.PI * f * i) / 8000), 0)),
  );
}

function concat(...parts: Int16Array[]): Int16Array {
  const out = new Int16Array(parts.reduce((n, part) => n + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

/** A raw UDP socket standing in for a far end: it records what arrives, with arrival times. */
async function rawPeer(): Promise<{ socket: dgram.Socket; port: number; received: { packet: RtpPacket; atMs: number }[]; close: () => Promise<void> }> {
  const socket = dgram.createSocket('udp4');
  const received: { packet: RtpPacket; atMs: number }[] = [];
  socket.on('message', (message) => {
    const result = parseRtpPacket(message);
    if (result.ok) received.push({ packet: result.packet, atMs: performance.now() });
  });
  await new Promise<void>((resolve) => socket.bind(0, HOST, resolve));
  return { socket, port: socket.address().port, received, close: () => new Promise((resolve) => socket.close(() => resolve())) };
}

function send(socket: dgram.Socket, bytes: Uint8Array, port: number): Promise<void> {
  return new Promise((resolve, reject) => socket.send(bytes, port, HOST, (error) => (error ? reject(error) : resolve())));
}

const pcmu = (port: number, extra: Partial<RemoteMedia> = {}): RemoteMedia => ({ address: HOST, port, codec: 'PCMU', payloadType: 0, ...extra });

describe('media engine (worker threads, loopback UDP)', () => {
  let engine: WorkerMediaEngine;
  const sessions: WorkerMediaSession[] = [];
  const open = async () => {
    const session = await engine.openSession({ bindAddress: HOST });
    sessions.push(session);
    return session;
  };

  beforeAll(async () => {
    engine = await startMediaEngine({ workers: 2, portRange: PORT_RANGE });
  });

  afterAll(async () => {
    await Promise.all(sessions.map((session) => session.close()));
    await engine.close();
  });

  it('binds sessions on even ports of the range, spread over the workers', async () => {
    const a = await open();
    const b = await open();
    for (const session of [a, b]) {
      expect(session.localAddress).toBe(HOST);
      expect(session.localPort % 2).toBe(0);
      expect(session.localPort).toBeGreaterThanOrEqual(PORT_RANGE.min);
      expect(session.localPort).toBeLessThanOrEqual(PORT_RANGE.max);
    }
    const diagnostics = await engine.diagnostics();
    expect(diagnostics).toHaveLength(2);
    expect(diagnostics.every((worker) => worker.sessions >= 1)).toBe(true);
    await Promise.all([a.close(), b.close()]);
  });

  it('A plays to B: about 50 packets a second, none lost, and B hears the tone (greeting end by beep, in-band digit)', async () => {
    const a = await open();
    const b = await open();
    a.start(pcmu(b.localPort, { dtmfPayloadType: 101 }));
    b.start(pcmu(a.localPort, { dtmfPayloadType: 101 }));
    const digits: [string, string][] = [];
    b.onDigit((digit, source) => digits.push([digit, source]));
    const greetingEnd = b.waitForGreetingEnd({ silenceMs: 3000, maxWaitMs: 8000 });

    await sleep(300); // comfort silence flows before anything plays
    const first = await b.stats();
    const firstAtMs = performance.now();
    // 400 ms of a 1 kHz beep, silence, then DTMF 5 (770 + 1336 Hz) for 200 ms.
    const played = a.play(concat(tone([1000], 400), new Int16Array(1600), tone([770, 1336], 200, 6000), new Int16Array(1600)));
    expect(await greetingEnd).toEqual({ reason: 'beep' });
    expect(await played).toEqual({ completed: true });
    await until('the in-band digit', () => digits.length > 0);
    const last = await b.stats();
    const rate = ((last.packetsReceived - first.packetsReceived) * 1000) / (performance.now() - firstAtMs);
    expect(rate).toBeGreaterThan(40);
    expect(rate).toBeLessThan(60);
    expect(digits).toEqual([['5', 'inband']]);
    expect(last).toMatchObject({ packetsRejected: 0, packetsLost: 0, packetsInvalid: 0 });
    expect((await a.stats()).packetsSent).toBeGreaterThanOrEqual(last.packetsReceived);
  });

  it('reports how late every frame went out: one lateness sample per frame sent since the reset', async () => {
    const a = await open();
    const b = await open();
    a.start(pcmu(b.localPort));
    b.start(pcmu(a.localPort));
    await sleep(100);
    await engine.diagnostics({ reset: true });
    const before = (await a.stats()).packetsSent + (await b.stats()).packetsSent;
    await sleep(400);
    const diagnostics = await engine.diagnostics();
    const sent = (await a.stats()).packetsSent + (await b.stats()).packetsSent - before;
    const samples = diagnostics.reduce((sum, worker) => sum + worker.sendLateness.samples, 0);
    // Every frame these two sent is counted (other tests' sessions in the same workers may add theirs); the counts are
    // read one after the other, so a frame or two per session may fall between them.
    expect(samples).toBeGreaterThanOrEqual(sent - 4);
    expect(sent).toBeGreaterThan(30);
    for (const worker of diagnostics) expect(worker.sendLateness.p99Ms).toBeLessThanOrEqual(worker.sendLateness.maxMs);
    await Promise.all([a.close(), b.close()]);
  });

  it('puts the right RTP header on the wire: marker first, +1 sequence, +160 timestamp, one SSRC, 20 ms apart', async () => {
    const peer = await rawPeer();
    const a = await open();
    a.start(pcmu(peer.port));
    await until('1 s of packets', () => peer.received.length >= 51);
    const packets = peer.received.slice(0, 51);
    expect(packets[0]!.packet.marker).toBe(true);
    expect(packets.slice(1).every(({ packet }) => !packet.marker)).toBe(true);
    expect(new Set(packets.map(({ packet }) => packet.ssrc)).size).toBe(1);
    for (let i = 1; i < packets.length; i++) {
      expect(packets[i]!.packet.sequenceNumber).toBe((packets[i - 1]!.packet.sequenceNumber + 1) & 0xffff);
      expect(packets[i]!.packet.timestamp).toBe((packets[i - 1]!.packet.timestamp + 160) >>> 0);
    }
    expect(packets.every(({ packet }) => packet.payloadType === 0 && packet.payload.length === 160)).toBe(true);
    expect(packets.every(({ packet }) => packet.payload.every((byte) => byte === 0xff))).toBe(true); // comfort silence
    const meanGapMs = (packets.at(-1)!.atMs - packets[0]!.atMs) / (packets.length - 1);
    expect(meanGapMs).toBeGreaterThan(18);
    expect(meanGapMs).toBeLessThan(22);

    // What plays comes out as audio, frame by frame.
    const before = peer.received.length;
    await a.play(tone([440], 200));
    await until('the tone and the silence after it', () => peer.received.length >= before + 15);
    const audible = peer.received.slice(before).filter(({ packet }) => decodeMulaw(packet.payload).some((s) => Math.abs(s) > 1000));
    expect(audible.length).toBeGreaterThanOrEqual(9);
    expect(audible.length).toBeLessThanOrEqual(11);
    await a.close();
    await peer.close();
  });

  it('rejects packets from any other port than the negotiated one, even from the same address', async () => {
    const peer = await rawPeer();
    const stranger = await rawPeer();
    const b = await open();
    b.start(pcmu(peer.port));
    // Messages reach the worker at the end of the turn that posted them (message-batch.ts): a reply after start()
    // says the session has started (and connected its socket) before the packets are sent.
    await b.stats();
    const packet = (sequenceNumber: number) =>
      serializeRtpPacket({ payloadType: 0, sequenceNumber, timestamp: sequenceNumber * 160, ssrc: 42, payload: encodeMulaw(tone([1000], 20)) });
    for (let i = 0; i < 5; i++) await send(stranger.socket, packet(i), b.localPort);
    await send(peer.socket, packet(100), b.localPort);
    await send(peer.socket, Uint8Array.from([1, 2, 3]), b.localPort); // from the peer, but not RTP
    await until('the peer packets to be counted', async () => (await b.stats()).packetsReceived === 1);
    // The socket is connected to the peer, so the kernel drops the stranger's packets before we see them; any that
    // were queued before the connect are rejected by the session's own check. Either way none is used.
    const stats = await b.stats();
    expect(stats).toMatchObject({ packetsReceived: 1, packetsInvalid: 1 });
    expect(stats.packetsRejected).toBeLessThanOrEqual(5);
    await b.close();
    await Promise.all([peer.close(), stranger.close()]);
  });

  it('reports an RFC 4733 key press (end packet sent three times) as exactly one digit', async () => {
    const peer = await rawPeer();
    const b = await open();
    b.start(pcmu(peer.port, { dtmfPayloadType: 101 }));
    const digits: [string, string][] = [];
    const unsubscribe = b.onDigit((digit, source) => digits.push([digit, source]));
    await sleep(50); // the listener registration reaches the worker before the packets do
    for (const bytes of capturedDtmf) await send(peer.socket, bytes, b.localPort);
    await until('the digit', () => digits.length > 0);
    await sleep(200); // time for a wrong second report to show up
    expect(digits).toEqual([['1', 'rfc4733']]);
    unsubscribe();
    await b.close();
    await peer.close();
  });

  it('play() resolves after about the audio duration; stopPlayback() resolves it early as not completed', async () => {
    const peer = await rawPeer();
    const a = await open();
    a.start(pcmu(peer.port));
    const startedMs = performance.now();
    expect(await a.play(new Int16Array(8000))).toEqual({ completed: true }); // 1 s
    const elapsedMs = performance.now() - startedMs;
    expect(elapsedMs).toBeGreaterThan(800);
    expect(elapsedMs).toBeLessThan(2000);

    const long = a.play(new Int16Array(80_000)); // 10 s
    const queued = a.play(new Int16Array(8000));
    await sleep(100);
    a.stopPlayback();
    expect(await long).toEqual({ completed: false });
    expect(await queued).toEqual({ completed: false });
    // The caller's array is copied, not moved to the worker.
    const pcm = new Int16Array(160).fill(3);
    await a.play(pcm);
    expect(pcm.length).toBe(160);
    await a.close();
    await peer.close();
  });

  it('stopPlayback() sends the worker nothing unless a play() is unanswered, and still stops the one that is', async () => {
    const posted = vi.spyOn(Worker.prototype, 'postMessage');
    // Messages go at the end of the event-loop turn, alone or in a batch (message-batch.ts).
    const typesIn = (message: { type?: string; messages?: { type?: string }[] }) => (message.type === 'batch' ? message.messages!.map((m) => m.type) : [message.type]);
    const stopsSent = async () => {
      await new Promise((resolve) => setImmediate(resolve));
      return posted.mock.calls.flatMap(([message]) => typesIn(message as { type?: string })).filter((type) => type === 'stopPlayback').length;
    };
    try {
      const peer = await rawPeer();
      const a = await open();
      a.start(pcmu(peer.port));
      a.stopPlayback();
      expect(await stopsSent()).toBe(0);
      expect(await a.play(new Int16Array(160))).toEqual({ completed: true }); // answered: nothing left to stop
      a.stopPlayback();
      expect(await stopsSent()).toBe(0);
      const long = a.play(new Int16Array(80_000)); // 10 s
      await sleep(50);
      a.stopPlayback();
      expect(await stopsSent()).toBe(1);
      expect(await long).toEqual({ completed: false });
      a.stopPlayback();
      expect(await stopsSent()).toBe(1);
      await a.close();
      await peer.close();
    } finally {
      posted.mockRestore();
    }
  });

  it('answering-machine detection on what the far end sends: silence from A makes B say machine', async () => {
    const a = await open();
    const b = await open();
    a.start(pcmu(b.localPort));
    b.start(pcmu(a.localPort));
    const decision = await b.detectAnsweringMachine({ initialSilenceMs: 400, totalAnalysisTimeMs: 3000 });
    expect(decision.result).toBe('machine');
    expect(decision.afterMs).toBeGreaterThanOrEqual(400);
    await expect(b.detectAnsweringMachine({ minWordLengthMs: -5 })).rejects.toMatchObject({ code: 'MEDIA_BAD_ARGUMENT' });
  });

  it('treats a far end that sends nothing as silent: AMD initial silence, greeting end by silence', async () => {
    const peer = await rawPeer();
    const b = await open();
    b.start(pcmu(peer.port));
    const startedMs = performance.now();
    const decision = await b.detectAnsweringMachine({ initialSilenceMs: 600 });
    expect(decision).toMatchObject({ result: 'machine', afterMs: 600 });
    expect(decision.reason).toMatch(/initial silence/);
    // 600 ms of silence fed once audio is 300 ms overdue: about 900 ms of wall clock.
    expect(performance.now() - startedMs).toBeGreaterThanOrEqual(800);
    expect(performance.now() - startedMs).toBeLessThan(3000);
    expect(await b.waitForGreetingEnd({ silenceMs: 400, maxWaitMs: 5000 })).toEqual({ reason: 'silence' });
    await b.close();
    await peer.close();
  });

  it('refuses an unusable remote and fails calls on a closed session', async () => {
    const a = await open();
    expect(() => a.start(pcmu(0))).toThrow(expect.objectContaining({ code: 'MEDIA_BAD_REMOTE' }));
    expect(() => a.start({ ...pcmu(5000), address: 'example.com' })).toThrow(MediaError);
    expect(() => a.start(pcmu(5000, { dtmfPayloadType: 0 }))).toThrow(/share payload type/);
    const waiting = expect(a.detectAnsweringMachine()).rejects.toMatchObject({ code: 'MEDIA_SESSION_CLOSED' });
    await a.close();
    await waiting;
    await expect(a.play(new Int16Array(160))).rejects.toMatchObject({ code: 'MEDIA_SESSION_CLOSED' });
    await expect(a.stats()).rejects.toMatchObject({ code: 'MEDIA_SESSION_CLOSED' });
    await a.close(); // twice is fine
  });
});

describe('media worker priority (MEDIA_WORKER_NICE)', () => {
  it("each worker thread asks for the nice value; the main thread's stays as it was", async () => {
    const mainBefore = os.getPriority();
    const engine = await startMediaEngine({ workers: 2, portRange: null, niceness: mainBefore + 3 });
    try {
      // Raising one's own nice value needs no privilege, so this holds for any user, on Linux.
      const diagnostics = await engine.diagnostics();
      expect(diagnostics).toHaveLength(2);
      if (process.platform === 'linux') {
        for (const worker of diagnostics) expect(worker.priority).toEqual({ asked: mainBefore + 3, niceness: mainBefore + 3, applied: true });
        expect(engine.priority.applied).toBe(true);
      } else {
        expect(engine.priority).toMatchObject({ applied: false });
      }
      expect(os.getPriority()).toBe(mainBefore);
    } finally {
      await engine.close();
    }
  });

  it('a nice value below 0 is applied where the process may (root, CAP_SYS_NICE), else refused with the reason', async () => {
    const engine = await startMediaEngine({ workers: 1, portRange: null, niceness: -5 });
    try {
      const [worker] = await engine.diagnostics();
      const privileged = process.platform === 'linux' && process.getuid?.() === 0;
      if (privileged) expect(worker!.priority).toEqual({ asked: -5, niceness: -5, applied: true });
      else expect(worker!.priority).toMatchObject({ asked: -5, applied: false, reason: expect.any(String) });
      expect(os.getPriority()).not.toBe(-5);
    } finally {
      await engine.close();
    }
  });

  it('refuses a nice value outside -20..19', async () => {
    await expect(startMediaEngine({ workers: 1, portRange: null, niceness: -21 })).rejects.toThrow(RangeError);
    await expect(startMediaEngine({ workers: 1, portRange: null, niceness: 1.5 })).rejects.toThrow(RangeError);
  });
});

describe('media engine failures and shutdown', () => {
  it('a crashed worker fails the calls waiting on it, and a new worker serves new sessions', async () => {
    const engine = await startMediaEngine({ workers: 1, portRange: null });
    try {
      const peer = await rawPeer();
      const a = await engine.openSession({ bindAddress: HOST });
      a.start(pcmu(peer.port));
      const failed = Promise.all([
        expect(a.play(new Int16Array(80_000))).rejects.toMatchObject({ code: 'MEDIA_WORKER_CRASHED' }),
        expect(a.detectAnsweringMachine()).rejects.toMatchObject({ code: 'MEDIA_WORKER_CRASHED' }),
      ]);
      engine.crashWorkerForTests(0);
      await failed;
      await expect(a.stats()).rejects.toMatchObject({ code: 'MEDIA_WORKER_CRASHED' });
      await a.close(); // closing a session of a dead worker succeeds
      const b = await engine.openSession({ bindAddress: HOST });
      expect(b.localPort % 2).toBe(0);
      b.start(pcmu(peer.port));
      expect(await b.play(new Int16Array(800))).toEqual({ completed: true });
      await b.close();
      await peer.close();
    } finally {
      await engine.close();
    }
  });

  it("an ended call's socket serves a later call after its quarantine, and what reached it in between is dropped", async () => {
    // Its own range (below the other tests' and the servers'), one worker: the only socket kept is the one reused.
    const engine = await startMediaEngine({ workers: 1, portRange: { min: 13000, max: 13999 } });
    const peer = await rawPeer();
    try {
      const a = await engine.openSession({ bindAddress: HOST });
      a.start(pcmu(peer.port));
      await until('audio from the first call', () => peer.received.length > 0);
      const port = a.localPort;
      await a.close();
      // A late packet of the far end of the call that ended.
      const packet = (sequenceNumber: number) =>
        serializeRtpPacket({ payloadType: 0, sequenceNumber, timestamp: sequenceNumber * 160, ssrc: 7, payload: encodeMulaw(tone([1000], 20)) });
      await send(peer.socket, packet(1), port);
      // Within the quarantine a new call gets a socket of its own.
      const early = await engine.openSession({ bindAddress: HOST });
      expect(early.localPort).not.toBe(port);
      await early.close();
      await sleep(QUARANTINE_MS + 50);
      const b = await engine.openSession({ bindAddress: HOST });
      expect(b.localPort).toBe(port);
      b.start(pcmu(peer.port));
      await b.stats();
      await send(peer.socket, packet(2), port);
      await until('the new packet to be counted', async () => (await b.stats()).packetsReceived >= 1);
      await sleep(50);
      // Only the packet sent to this call: the late one was read and dropped while the socket waited.
      expect(await b.stats()).toMatchObject({ packetsReceived: 1, packetsRejected: 0 });
      const before = peer.received.length;
      await until('audio from the second call', () => peer.received.length > before);
      await b.close();
    } finally {
      await engine.close();
      await peer.close();
    }
  });

  it('when every port of a narrow range is taken, a new call gets a kept socket still in quarantine', async () => {
    // 16 even ports: the worker keeps at most 2 ended calls' sockets (an eighth of the range).
    const range = { min: 12960, max: 12991 };
    const engine = await startMediaEngine({ workers: 1, portRange: range });
    try {
      const sessions = await Promise.all(Array.from({ length: 16 }, () => engine.openSession({ bindAddress: HOST })));
      await expect(engine.openSession({ bindAddress: HOST })).rejects.toMatchObject({ code: 'MEDIA_NO_PORT' });
      const ended = sessions.splice(0, 3);
      await Promise.all(ended.map((session) => session.close()));
      // Two were kept (the third closed: the pool was full) and are in quarantine; the ports are all taken still but one.
      const again = await Promise.all(Array.from({ length: 3 }, () => engine.openSession({ bindAddress: HOST })));
      expect(again.map((session) => session.localPort).sort()).toEqual(ended.map((session) => session.localPort).sort());
      await expect(engine.openSession({ bindAddress: HOST })).rejects.toMatchObject({ code: 'MEDIA_NO_PORT' });
      await Promise.all([...sessions, ...again].map((session) => session.close()));
    } finally {
      await engine.close();
    }
  });

  it('close() ends the workers and their sockets; afterwards nothing opens', async () => {
    const engine = await startMediaEngine({ portRange: null });
    const a = await engine.openSession({ bindAddress: HOST });
    const peer = await rawPeer();
    a.start(pcmu(peer.port));
    const playing = a.play(new Int16Array(80_000));
    await engine.close();
    expect(await playing).toEqual({ completed: false });
    await expect(engine.openSession({ bindAddress: HOST })).rejects.toMatchObject({ code: 'MEDIA_ENGINE_CLOSED' });
    // The port is free again: the worker closed its socket.
    const probe = dgram.createSocket('udp4');
    await new Promise<void>((resolve, reject) => {
      probe.once('error', reject);
      probe.bind(a.localPort, HOST, resolve);
    });
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const countBefore = peer.received.length;
    await sleep(100);
    expect(peer.received.length).toBe(countBefore);
    await peer.close();
  });
});
