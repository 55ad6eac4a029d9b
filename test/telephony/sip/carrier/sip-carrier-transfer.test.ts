// Blind transfer (REFER, RFC 3515) on the SIP carrier against a real sipp far end on loopback: sipp answers, checks
// our REFER, accepts it and reports the target's answer in a sipfrag NOTIFY; we answer the NOTIFY, report the
// transfer answered and hang up our leg. Both sides are checked: our transfer result and sipp's exit code (0 only
// when the call followed the scenario message by message).
import { expect, it } from 'vitest';
import type { SipCarrier } from '../../../../src/telephony/sip/carrier/sip-carrier.js';
import { startSipp, type SippPeer } from '../../../helpers/sipp.js';
import { describeWithPeer } from '../../../helpers/peers.js';
import { cleanupAfterEach, sippExitCode as sippExit, startTestSipCarrier } from '../../../helpers/sip-carrier.js';

const defer = cleanupAfterEach();

function carrierFor(sipp: SippPeer, transport: 'udp' | 'tcp'): Promise<SipCarrier> {
  return startTestSipCarrier(defer, [{ name: 'sipp', host: '127.0.0.1', port: sipp.port, transport }]);
}

async function sipp(options: Parameters<typeof startSipp>[0]): Promise<SippPeer> {
  const peer = await startSipp(options);
  defer(() => peer.stop());
  return peer;
}

describeWithPeer(['sipp'], 'SIP carrier transfer against sipp', () => {
  for (const transport of ['udp', 'tcp'] as const) {
    it(`REFER accepted, NOTIFY "SIP/2.0 200 OK": the transfer is answered and our BYE ends our leg (${transport})`, async () => {
      const peer = await sipp({ scenario: 'uas-answer-accept-refer.xml', transport });
      const carrier = await carrierFor(peer, transport);
      const result = await carrier.dial({ callId: 'transfer-1', to: '+442079460001', from: '+441632960001', ringTimeoutMs: 10_000 });
      expect(result.kind).toBe('answered');
      if (result.kind !== 'answered') return;
      // A silent sipp is a machine to AMD; the transfer is called directly, as the flow's transfer step would.
      const transfer = await result.call.transfer('+442079460099', 5_000);
      expect(transfer).toEqual({ kind: 'answered' });
      expect(await result.call.ended).toEqual({ by: 'us', reason: 'transferred' });
      expect(await sippExit(peer)).toBe(0);
      const messages = peer.messages();
      expect(messages).toMatch(/^REFER sip:/m);
      expect(messages).toMatch(/^SIP\/2\.0 200 OK\r?\n(?:.*\r?\n)*?CSeq: 1 NOTIFY/m);
    }, 40_000);
  }
});
