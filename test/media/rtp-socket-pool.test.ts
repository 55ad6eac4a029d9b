// The pool of ended calls' RTP sockets (rtp-socket-pool.ts) with real UDP sockets on loopback and an injected clock:
// what may be given out and when, what is closed, and that a kept socket drops what it receives.
import dgram from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { idleLimitFor, MAX_IDLE, RtpSocketPool, type PooledSocket } from '../../src/media/session/rtp-socket-pool.js';

const HOST = '127.0.0.1';
const opened: dgram.Socket[] = [];

async function bound(): Promise<PooledSocket> {
  const socket = dgram.createSocket('udp4');
  opened.push(socket);
  await new Promise<void>((resolve) => socket.bind(0, HOST, resolve));
  return { socket, address: socket.address() };
}

function closed(socket: dgram.Socket): Promise<void> {
  return new Promise((resolve) => socket.once('close', resolve));
}

function isOpen(socket: dgram.Socket): boolean {
  try {
    socket.address();
    return true;
  } catch {
    return false;
  }
}

afterEach(() => {
  for (const socket of opened.splice(0)) if (isOpen(socket)) socket.close();
});

describe('RtpSocketPool', () => {
  it('gives a socket out again only after its quarantine, oldest first, to the same bind address only', async () => {
    let nowMs = 1_000;
    const pool = new RtpSocketPool(() => nowMs, { quarantineMs: 250 });
    expect(pool.take(HOST)).toBeUndefined();
    const first = await bound();
    const second = await bound();
    pool.give(HOST, first);
    nowMs += 10;
    pool.give(HOST, second);
    expect(pool.size).toBe(2);
    nowMs += 239;
    expect(pool.take(HOST)).toBeUndefined(); // 249 ms after the first release
    nowMs += 1;
    expect(pool.take('::1')).toBeUndefined();
    const taken = pool.take(HOST);
    expect(taken?.socket).toBe(first.socket);
    expect(taken?.address.port).toBe(first.address.port);
    expect(pool.take(HOST)).toBeUndefined(); // the second is still in quarantine
    nowMs += 10;
    expect(pool.take(HOST)?.socket).toBe(second.socket);
    expect(pool.size).toBe(0);
    await pool.closeAll();
  });

  it('gives a socket still in quarantine when asked to (no port of the range is free)', async () => {
    const pool = new RtpSocketPool(() => 0, { quarantineMs: 100 });
    const kept = await bound();
    pool.give(HOST, kept);
    expect(pool.take(HOST)).toBeUndefined();
    expect(pool.take('::1', true)).toBeUndefined();
    expect(pool.take(HOST, true)?.socket).toBe(kept.socket);
  });

  it('keeps at most an eighth of the range, and MAX_IDLE when the system picks the ports', () => {
    expect(idleLimitFor(null)).toBe(MAX_IDLE);
    expect(idleLimitFor(8192)).toBe(MAX_IDLE); // the default range, 16384-32767
    expect(idleLimitFor(6000)).toBe(750);
    expect(idleLimitFor(100)).toBe(12);
    expect(idleLimitFor(7)).toBe(0);
  });

  it('reads and drops what a kept socket receives; the taker hears only what comes after', async () => {
    const pool = new RtpSocketPool(() => 0, { quarantineMs: 0 });
    const kept = await bound();
    const sender = await bound();
    pool.give(HOST, kept);
    await new Promise<void>((resolve) => sender.socket.send('late', kept.address.port, HOST, () => resolve()));
    await new Promise((resolve) => setTimeout(resolve, 50));
    const taken = pool.take(HOST)!;
    const heard: string[] = [];
    taken.socket.on('message', (message) => heard.push(String(message)));
    await new Promise<void>((resolve) => sender.socket.send('new', kept.address.port, HOST, () => resolve()));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(heard).toEqual(['new']);
    expect(taken.socket.listenerCount('message')).toBe(1);
  });

  it('closes a socket given to a full pool, sockets idle too long, and every socket on closeAll', async () => {
    let nowMs = 0;
    const pool = new RtpSocketPool(() => nowMs, { maxIdle: 2, idleCloseMs: 10_000, quarantineMs: 0 });
    const [a, b, c, d] = await Promise.all([bound(), bound(), bound(), bound()]);
    pool.give(HOST, a!);
    nowMs = 5_000;
    pool.give(HOST, b!);
    const cClosed = closed(c!.socket);
    pool.give(HOST, c!);
    await cClosed;
    expect(pool.size).toBe(2);
    // 10 s after a's release it is closed when the pool is next used, and b is then the one given out.
    nowMs = 10_000;
    const aClosed = closed(a!.socket);
    expect(pool.take(HOST)?.socket).toBe(b!.socket);
    await aClosed;
    expect(pool.size).toBe(0);
    pool.give(HOST, d!);
    const dClosed = closed(d!.socket);
    await pool.closeAll();
    await dClosed;
    expect(pool.size).toBe(0);
    expect(isOpen(d!.socket)).toBe(false);
  });

  it('closes idle sockets on its own timer, with no take or give to trigger it', async () => {
    const pool = new RtpSocketPool(() => performance.now(), { idleCloseMs: 30 });
    const kept = await bound();
    const keptClosed = closed(kept.socket);
    pool.give(HOST, kept);
    await keptClosed;
    expect(pool.size).toBe(0);
  });
});
