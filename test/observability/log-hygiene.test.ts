import { describe, expect, it } from 'vitest';
import { REDACTED, urlForLog } from '../../src/observability/log-hygiene.js';

describe('urlForLog', () => {
  it("redacts a Kannel delivery report's token and a password in the query, keeping the other parameters", () => {
    const report = urlForLog('/api/sms/kannel/dlr?id=7c0e1f3a-bb2c-4d5e-af90-ffeeddccbbaa&token=AbC-123_x&type=1&status=DELIVRD');
    expect(report).toBe(`/api/sms/kannel/dlr?id=7c0e1f3a-bb2c-4d5e-af90-ffeeddccbbaa&token=${REDACTED}&type=1&status=DELIVRD`);
    const logged = urlForLog('/x?Password=hunter2&search=07722123456');
    expect(logged.startsWith(`/x?Password=${REDACTED}&search=`)).toBe(true);
    expect(logged).not.toContain('hunter2');
    expect(logged).not.toContain('07722123456');
  });

  it('leaves URLs without secrets as they are', () => {
    expect(urlForLog('/api/campaigns/voice/12?token')).toBe('/api/campaigns/voice/12?token');
    expect(urlForLog('/api/campaigns/voice/12?tokens=1')).toBe('/api/campaigns/voice/12?tokens=1');
    expect(urlForLog('/api/campaigns/voice/12')).toBe('/api/campaigns/voice/12');
  });
});
