import { describe, expect, it } from 'vitest';
import { TrunkPool } from '../../../../src/telephony/sip/carrier/trunk-pool.js';
import { parseTrunk } from '../../../../src/telephony/sip/carrier/trunk-config.js';

const trunk = (name: string, maxCalls: number, maxCps: number) => parseTrunk({ name, host: '127.0.0.1', maxCalls, maxCps }, name);

describe('TrunkPool', () => {
  it('takes trunks in turn', () => {
    const pool = new TrunkPool([trunk('a', 10, 10), trunk('b', 10, 10)], 0);
    const names = [0, 1, 2, 3].map(() => {
      const got = pool.acquire(0);
      if (got.kind !== 'acquired') throw new Error('expected a trunk');
      return got.lease.trunk.name;
    });
    expect(names).toEqual(['a', 'b', 'a', 'b']);
  });

  it('holds each trunk to its concurrent calls, freeing a slot on release (once)', () => {
    const pool = new TrunkPool([trunk('a', 2, 100)], 0);
    const first = pool.acquire(0);
    const second = pool.acquire(0);
    expect(pool.acquire(0)).toEqual({ kind: 'wait', waitMs: 100 });
    if (first.kind !== 'acquired' || second.kind !== 'acquired') throw new Error('expected two slots');
    first.lease.release();
    first.lease.release();
    expect(pool.inFlight('a')).toBe(1);
    expect(pool.acquire(0).kind).toBe('acquired');
    expect(pool.acquire(0).kind).toBe('wait');
  });

  it('paces call starts per trunk and says how long to wait', () => {
    const pool = new TrunkPool([trunk('a', 100, 2)], 0);
    expect(pool.acquire(0).kind).toBe('acquired');
    expect(pool.acquire(0).kind).toBe('acquired');
    expect(pool.acquire(0)).toEqual({ kind: 'wait', waitMs: 500 });
    expect(pool.acquire(499).kind).toBe('wait');
    expect(pool.acquire(500).kind).toBe('acquired');
  });

  it('handles a rate below one call per second', () => {
    const pool = new TrunkPool([trunk('a', 100, 0.5)], 0);
    expect(pool.acquire(0).kind).toBe('acquired');
    expect(pool.acquire(0)).toEqual({ kind: 'wait', waitMs: 2000 });
    expect(pool.acquire(2000).kind).toBe('acquired');
  });

  it('skips excluded trunks (those that failed this call) and says none when all are excluded', () => {
    const pool = new TrunkPool([trunk('a', 10, 10), trunk('b', 10, 10)], 0);
    const got = pool.acquire(0, new Set(['a']));
    expect(got.kind === 'acquired' && got.lease.trunk.name).toBe('b');
    expect(pool.acquire(0, new Set(['a', 'b']))).toEqual({ kind: 'none' });
  });
});
