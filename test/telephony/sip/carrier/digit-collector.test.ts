import { describe, expect, it } from 'vitest';
import { DigitCollector } from '../../../../src/telephony/sip/carrier/digit-collector.js';

describe('DigitCollector (gather rules)', () => {
  it('waits timeoutMs after the prompt, then after each key', () => {
    const c = new DigitCollector({ maxDigits: 4, timeoutMs: 3000 }, true, 0);
    expect(c.deadline).toBeUndefined();
    c.promptEnded(2000);
    expect(c.deadline).toBe(5000);
    expect(c.key('1', 4000)).toBe(false);
    expect(c.deadline).toBe(7000);
    expect(c.expire(6999)).toBe(false);
    expect(c.expire(7000)).toBe(true);
    expect(c.result).toBe('1');
  });

  it('ends at maxDigits and at the finish key, which is not kept', () => {
    const max = new DigitCollector({ maxDigits: 2, timeoutMs: 1000 }, false, 0);
    max.key('1', 10);
    expect(max.key('2', 20)).toBe(true);
    expect(max.result).toBe('12');
    const finish = new DigitCollector({ maxDigits: 9, timeoutMs: 1000, finishOnKey: '#' }, false, 0);
    finish.key('4', 10);
    expect(finish.key('#', 20)).toBe(true);
    expect(finish.result).toBe('4');
    expect(finish.state).toBe('done');
  });

  it('treats a key during the prompt as barge-in', () => {
    const c = new DigitCollector({ maxDigits: 3, timeoutMs: 1000 }, true, 0);
    c.key('9', 500);
    expect(c.state).toBe('waiting');
    expect(c.deadline).toBe(1500);
    c.promptEnded(800); // the cut prompt reports its end late: the key's deadline stands
    expect(c.deadline).toBe(1500);
  });

  it('without a prompt, times out timeoutMs after the start', () => {
    const c = new DigitCollector({ maxDigits: 1, timeoutMs: 500 }, false, 100);
    expect(c.expire(599)).toBe(false);
    expect(c.expire(600)).toBe(true);
    expect(c.result).toBe('');
  });
});
