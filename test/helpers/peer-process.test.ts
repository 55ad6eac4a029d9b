// The peers' stop(): a peer whose main process needs the SIGKILL must not leave its children running (Kamailio's
// workers did, reparented to init, holding a port after a whole run).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { spawnPeer } from './peer-process.js';

/** Running: it exists and is not a zombie (a killed orphan waits for init to reap it; some containers' init never does). */
const alive = (pid: number) => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
};

describe.runIf(process.platform === 'linux')('spawnPeer().stop()', () => {
  it('kills the children of a peer that ignores SIGTERM along with it', async () => {
    // The shell and its two sleeps ignore SIGTERM (an ignored signal stays ignored across exec); it prints their pids.
    const peer = spawnPeer('sh', ['-c', 'trap "" TERM; sleep 300 & echo $!; sleep 300 & echo $!; wait'], '/tmp');
    for (let i = 0; i < 100 && peer.output().trim().split('\n').length < 2; i++) await new Promise((r) => setTimeout(r, 20));
    const children = peer.output().trim().split('\n').map(Number);
    expect(children).toHaveLength(2);
    expect(children.every(alive)).toBe(true);
    await peer.stop();
    expect(peer.child.signalCode).toBe('SIGKILL');
    // A SIGKILL is delivered, not done, when kill() returns: give them a moment.
    for (let i = 0; i < 50 && children.some(alive); i++) await new Promise((r) => setTimeout(r, 20));
    expect(children.some(alive)).toBe(false);
  }, 10_000);

  it('stops a peer that exits on SIGTERM at once', async () => {
    const peer = spawnPeer('sleep', ['300'], '/tmp');
    const started = Date.now();
    await peer.stop();
    expect(peer.child.signalCode).toBe('SIGTERM');
    expect(Date.now() - started).toBeLessThan(2_000);
  });
});
