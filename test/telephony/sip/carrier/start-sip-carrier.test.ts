import { describe, expect, it } from 'vitest';
import { systemClock } from '../../../../src/domain/clock.js';
import { startSipCarrier, trunksBeyondLoopback } from '../../../../src/telephony/sip/carrier/start-sip-carrier.js';
import { parseTrunk } from '../../../../src/telephony/sip/carrier/trunk-config.js';

describe('startSipCarrier', () => {
  it('refuses to start without espeak-ng, saying how to install it', async () => {
    const path = process.env.PATH;
    process.env.PATH = '/nonexistent';
    try {
      await expect(
        startSipCarrier({
          trunks: [parseTrunk({ name: 't', host: '127.0.0.1', port: 5070 }, 't')],
          clock: systemClock,
          address: '127.0.0.1',
          sipPort: 0,
          rtpPortRange: { min: 20000, max: 31999 },
          mediaWorkers: 1,
          ttsCacheDir: '/tmp/ringcast-unused-tts',
          ttsVoice: 'en-gb',
          sessionExpiresS: 0,
        }),
      ).rejects.toThrow(/espeak-ng.*apt-get install espeak-ng/);
    } finally {
      process.env.PATH = path;
    }
  });
});

describe('trunksBeyondLoopback', () => {
  const trunk = (name: string, host: string) => parseTrunk({ name, host }, name);
  it('names the trunks a loopback SIP_ADDRESS cannot serve', () => {
    const trunks = [trunk('local', '127.0.0.1'), trunk('named', 'localhost'), trunk('far', 'sip.example.net')];
    expect(trunksBeyondLoopback('127.0.0.1', trunks)).toEqual(['far']);
    expect(trunksBeyondLoopback('203.0.113.10', trunks)).toEqual([]);
  });
});
