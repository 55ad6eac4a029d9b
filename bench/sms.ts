// Texts per second through the SMPP provider to the loopback SMSC (test/helpers/smsc.ts), beside the `smpp`
// library's own raw submit loop (the same window of outstanding submit_sm, no rate limit) in the same run: what the
// provider's bookkeeping (addresses, parts, window, rate turns) costs over the bare library.
import smpp from 'smpp';
import { SmppSmsProvider } from '../src/sms/smpp/smpp-provider.js';
import { startTestSmsc } from '../test/helpers/smsc.js';
import { benchRuns, median, ratioOf, report } from './lib/report.js';

const TEXTS = 3000;
const WINDOW = 20;
const CREDENTIALS = { systemId: 'bench', password: 'bench' };

async function providerRate(): Promise<number> {
  const smsc = await startTestSmsc({ ...CREDENTIALS, receiptDelayMs: 1 });
  smsc.receiptStat = () => undefined; // no receipts: the same work as the raw loop on the SMSC side
  const provider = new SmppSmsProvider({ host: '127.0.0.1', port: smsc.port, ...CREDENTIALS, messagesPerSecond: 1_000_000, window: WINDOW });
  await provider.start();
  const started = performance.now();
  const results = await Promise.all(
    Array.from({ length: TEXTS }, (_, i) => provider.send({ to: `+4479${String(i).padStart(8, '0')}`, from: 'Ringcast', text: `Bench text ${i}` })),
  );
  const seconds = (performance.now() - started) / 1000;
  await provider.stop();
  await smsc.close();
  if (results.some((r) => r.status !== 'sent') || smsc.accepted.length !== TEXTS) throw new Error('provider lost texts');
  return TEXTS / seconds;
}

async function rawRate(): Promise<number> {
  const smsc = await startTestSmsc(CREDENTIALS);
  smsc.receiptStat = () => undefined;
  const session = smpp.connect({ host: '127.0.0.1', port: smsc.port });
  await new Promise<void>((resolve, reject) =>
    session.on('connect', () =>
      session.bind_transceiver({ system_id: CREDENTIALS.systemId, password: CREDENTIALS.password }, (pdu) =>
        pdu.command_status === 0 ? resolve() : reject(new Error('bind refused')),
      ),
    ),
  );
  const started = performance.now();
  await new Promise<void>((resolve) => {
    let sent = 0;
    let answered = 0;
    const next = () => {
      const i = sent++;
      session.submit_sm({ destination_addr: `4479${String(i).padStart(8, '0')}`, source_addr: 'Ringcast', source_addr_ton: 5, registered_delivery: 1, short_message: `Bench text ${i}` }, () => {
        answered += 1;
        if (answered === TEXTS) resolve();
        else if (sent < TEXTS) next();
      });
    };
    for (let i = 0; i < WINDOW; i++) next();
  });
  const seconds = (performance.now() - started) / 1000;
  session.destroy();
  await smsc.close();
  return TEXTS / seconds;
}

const runs = benchRuns(3);
const provider: number[] = [];
const raw: number[] = [];
for (let run = 0; run < runs; run++) {
  raw.push(await rawRate());
  provider.push(await providerRate());
}
const value = median(provider);
const baseline = median(raw);
const ratio = ratioOf(value, baseline);
report(
  'sms',
  [
    {
      figure: `SMPP provider: ${TEXTS} one-part texts, window ${WINDOW}`,
      value,
      baseline,
      unit: 'texts/s',
      baselineLabel: 'raw smpp submit loop',
      ratio,
      target: '>= 50% of baseline',
      pass: ratio !== null && ratio >= 0.5,
      note: `median of ${runs} runs; loopback SMSC from the same library`,
    },
  ],
  { texts: TEXTS, window: WINDOW },
);
