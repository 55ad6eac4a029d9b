// Smoke test against a real far end: sipp's built-in UAS (sip-tester) answers an INVITE with 180 and 200, waits for
// our ACK and BYE, and exits 0 when the call went as its scenario expects. Skipped, with a notice, without sipp.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../../src/domain/clock.js';
import { getHeader, type SipRequest } from '../../../src/telephony/sip/message/types.js';
import { createSipStack, type LocalSipStack } from '../../../src/telephony/sip/transaction/stack.js';
import type { SipTarget, SipTransportName } from '../../../src/telephony/sip/transaction/types.js';
import { makeRequest, recordingHandlers, waitFor } from './stack-helpers.js';

const hasSipp = spawnSync('sipp', ['-v'], { stdio: 'ignore' }).error === undefined;
if (!hasSipp) console.warn('\n[ringcast tests] NOTICE: sipp (Debian sip-tester) is not installed: the SIP stack smoke test against it is SKIPPED.\n');

async function freePort(): Promise<number> {
  const socket = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()));
  const { port } = socket.address();
  await new Promise<void>((resolve) => socket.close(() => resolve()));
  return port;
}

function exitOf(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) resolve(child.exitCode);
    else child.once('exit', (code) => resolve(code));
  });
}

const running: ChildProcess[] = [];
const stacks: LocalSipStack[] = [];
afterEach(async () => {
  for (const child of running.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
  await Promise.all(stacks.splice(0).map((stack) => stack.close()));
});

describe.skipIf(!hasSipp)('SIP stack against sipp (uas)', () => {
  it.each<SipTransportName>(['udp', 'tcp'])('completes INVITE / 180 / 200 / ACK / BYE / 200 over %s', async (transport) => {
    const port = await freePort();
    const sipp = spawn(
      'sipp',
      ['-sn', 'uas', '-i', '127.0.0.1', '-p', String(port), '-m', '1', '-t', transport === 'udp' ? 'u1' : 't1', '-nostdin', '-timeout', '20s', '-timeout_error'],
      { stdio: 'ignore' },
    );
    running.push(sipp);
    const exited = exitOf(sipp);
    const stack = await createSipStack({ bindAddress: '127.0.0.1', port: 0, clock: systemClock });
    stacks.push(stack);
    const target: SipTarget = { host: '127.0.0.1', port, transport };
    const contact: [string, string] = ['Contact', `<sip:ringcast@127.0.0.1:${stack.localPort};transport=${transport}>`];

    // sipp needs a moment to bind; the INVITE is retransmitted (UDP) meanwhile, and TCP is retried here.
    const invite = recordingHandlers();
    let attempts = 0;
    const sendInvite = () => stack.sendRequest(makeRequest('INVITE', target, { headers: [contact] }), target, invite);
    sendInvite();
    await waitFor(
      () => {
        if (invite.errors.length > attempts && attempts < 50) {
          attempts++;
          setTimeout(sendInvite, 100);
        }
        return invite.responses.some((r) => r.status === 200);
      },
      'a 200 from sipp',
      10_000,
    );
    const ok = invite.responses.find((r) => r.status === 200)!;
    expect(invite.responses.map((r) => r.status)).toContain(180);
    const dialog = {
      from: getHeader(ok.headers, 'From')!,
      to: getHeader(ok.headers, 'To')!,
      callId: getHeader(ok.headers, 'Call-ID')!,
    };
    const inDialog = (method: string, cseq: number): SipRequest => ({
      kind: 'request',
      method,
      uri: `sip:127.0.0.1:${port}`,
      version: 'SIP/2.0',
      headers: [
        ['Max-Forwards', '70'],
        ['From', dialog.from],
        ['To', dialog.to],
        ['Call-ID', dialog.callId],
        ['CSeq', `${cseq} ${method}`],
        contact,
      ],
      body: Buffer.alloc(0),
    });
    stack.sendAck(inDialog('ACK', 1), target);
    const bye = recordingHandlers();
    stack.sendRequest(inDialog('BYE', 2), target, bye);
    await waitFor(() => bye.responses.length === 1, '200 to BYE', 10_000);
    expect(bye.responses[0]!.status).toBe(200);
    expect(await exited).toBe(0);
  });
});
