// Bound RTP sockets a media worker keeps after their call ended, to give the next call on the same bind address
// instead of making a new one.
//
// A new socket per call was about a third of a media worker's own work in a call set-up (bench/sip.ts, --cpu-prof of
// the worker: creating the UDP handle, bind, SO_RCVBUF, getsockname twice, connect, close: ~46 us of its ~150-190 us
// a call on two AMD cores, where the call's one or two RTP packets cost less). A kept socket costs only its connect to
// the next far end. Eight alternated runs of bench/sip.ts against the commit before: the worker's CPU a call 0.168 ->
// 0.148 ms (medians; lower in 7 of the 8 pairs), the whole process's 0.669 -> 0.603 ms; 95% of the calls got a kept
// socket.
//
// What a kept socket must not do is hand the next call the last one's audio. While it waits here every datagram it
// receives is read and dropped, and it is given out again only after QUARANTINE_MS: the last far end stops sending
// once it has our BYE, a round trip after the call ended. Anything later still has to pass the session's own check
// (rtp-session.ts: only the negotiated address and port, and a connected socket hears no one else). The pool is
// bounded (MAX_IDLE, and an eighth of the RTP range), and a socket idle for IDLE_CLOSE_MS is closed, so a worker that
// has gone quiet gives its ports back to the range other workers and processes share. When every port of the range is
// taken, a call gets a kept socket still in quarantine rather than no socket at all.
//
// The rules (which socket may go out, which to close) read the time given to them; the timer that closes idle sockets
// is the only I/O besides the sockets themselves.
import type { Socket } from 'node:dgram';
import type { AddressInfo } from 'node:net';

/**
 * A socket is given out again no sooner than this after its call released it. Longer needs more sockets waiting: at
 * 2,400 calls a second, 250 ms with a cap of 512 kept more sockets in quarantine than the cap allowed, and almost no
 * socket was ever reused.
 */
export const QUARANTINE_MS = 100;
/** At most this many sockets wait here (a few hundred at the highest call rates); one released when it is full is closed. */
export const MAX_IDLE = 1024;
/**
 * And at most this share of the RTP range's even ports: the range is shared by the workers and by other processes,
 * and a narrow one (sized to a trunk's channels) must keep its ports for calls, not for sockets waiting here.
 */
export const MAX_IDLE_SHARE_OF_RANGE = 1 / 8;
/** A socket that waited this long is closed. */
export const IDLE_CLOSE_MS = 10_000;

export interface PooledSocket {
  socket: Socket;
  /** Its own address (getsockname when it was bound), kept so that reusing it needs no system call for it. */
  address: AddressInfo;
}

interface IdleSocket extends PooledSocket {
  bindAddress: string;
  releasedAtMs: number;
}

export interface RtpSocketPoolOptions {
  quarantineMs?: number;
  maxIdle?: number;
  idleCloseMs?: number;
}

const drop = (): void => {};

/** How many sockets a worker keeps, given how many even ports its range has (null: the system picks the ports). */
export function idleLimitFor(evenPorts: number | null): number {
  return evenPorts === null ? MAX_IDLE : Math.min(MAX_IDLE, Math.floor(evenPorts * MAX_IDLE_SHARE_OF_RANGE));
}

export class RtpSocketPool {
  /** Oldest release first: the one to give out, and the one to close first. */
  private readonly idle: IdleSocket[] = [];
  private readonly quarantineMs: number;
  private readonly maxIdle: number;
  private readonly idleCloseMs: number;
  private sweepTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly nowMs: () => number,
    options: RtpSocketPoolOptions = {},
  ) {
    this.quarantineMs = options.quarantineMs ?? QUARANTINE_MS;
    this.maxIdle = options.maxIdle ?? MAX_IDLE;
    this.idleCloseMs = options.idleCloseMs ?? IDLE_CLOSE_MS;
  }

  get size(): number {
    return this.idle.length;
  }

  /**
   * A socket bound to `bindAddress` whose quarantine has passed, taken out of the pool (the caller now listens on it),
   * or undefined: the caller binds a new one. `evenInQuarantine`: the oldest one regardless, for when no port of the
   * range is free (a stray late packet is still refused by the session's own check, rtp-session.ts).
   */
  take(bindAddress: string, evenInQuarantine = false): PooledSocket | undefined {
    const nowMs = this.nowMs();
    this.closeExpired(nowMs);
    for (let i = 0; i < this.idle.length; i++) {
      const entry = this.idle[i]!;
      // Released in order: once one is still in quarantine, so is every later one.
      if (!evenInQuarantine && entry.releasedAtMs + this.quarantineMs > nowMs) return undefined;
      if (entry.bindAddress !== bindAddress) continue;
      this.idle.splice(i, 1);
      entry.socket.off('message', drop);
      entry.socket.off('error', drop);
      return { socket: entry.socket, address: entry.address };
    }
    return undefined;
  }

  /**
   * Keeps a socket its session no longer uses: unconnected, with no listeners of the session's left. Closed instead
   * when the pool is full.
   */
  give(bindAddress: string, pooled: PooledSocket): void {
    const nowMs = this.nowMs();
    this.closeExpired(nowMs);
    if (this.idle.length >= this.maxIdle) return closeQuietly(pooled.socket);
    // Datagrams that still arrive are read and dropped, not left to fill the socket's buffer for the next call.
    pooled.socket.on('message', drop);
    pooled.socket.on('error', drop);
    this.idle.push({ ...pooled, bindAddress, releasedAtMs: nowMs });
    this.armSweep();
  }

  /** Closes every socket waiting here (the worker is shutting down). */
  async closeAll(): Promise<void> {
    if (this.sweepTimer) clearTimeout(this.sweepTimer);
    this.sweepTimer = null;
    const closing = this.idle.splice(0).map((entry) => new Promise<void>((resolve) => closeQuietly(entry.socket, resolve)));
    await Promise.all(closing);
  }

  private closeExpired(nowMs: number): void {
    let expired = 0;
    while (expired < this.idle.length && this.idle[expired]!.releasedAtMs + this.idleCloseMs <= nowMs) expired++;
    for (const entry of this.idle.splice(0, expired)) closeQuietly(entry.socket);
  }

  /** One timer for the oldest socket's expiry; it does not keep the worker's event loop alive. */
  private armSweep(): void {
    if (this.sweepTimer || this.idle.length === 0) return;
    const delayMs = Math.max(0, this.idle[0]!.releasedAtMs + this.idleCloseMs - this.nowMs());
    this.sweepTimer = setTimeout(() => {
      this.sweepTimer = null;
      this.closeExpired(this.nowMs());
      this.armSweep();
    }, delayMs);
    this.sweepTimer.unref();
  }
}

/** Closes a socket whatever its state; an error it still reports (a send's, emitted late) is ignored, not thrown. */
export function closeQuietly(socket: Socket, closed?: () => void): void {
  socket.on('error', drop);
  try {
    socket.close(closed);
  } catch {
    closed?.(); // already closed
  }
}
