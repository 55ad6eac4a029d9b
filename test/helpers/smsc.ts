// A loopback SMSC for the SMPP tests and the benchmark, built on the `smpp` package's server side (the same library
// the provider uses as a client, but the other half of it). It checks bind credentials, records every PDU it gets,
// answers submit_sm with message ids, sends a delivery receipt per accepted part, and can be told to throttle,
// reject, or drop the connection.
import smpp from 'smpp';
import type { Pdu, Server, Session } from 'smpp';
import { formatReceipt } from '../../src/sms/smpp/receipt.js';

export interface ReceivedPart {
  messageId: string;
  sourceAddr: string;
  sourceTon: number;
  destinationAddr: string;
  dataCoding: number;
  esmClass: number;
  registeredDelivery: number;
  udh: Buffer | undefined;
  /** The part's text as the library decoded it. */
  text: string;
}

export interface TestSmsc {
  readonly port: number;
  /** Every PDU received, by command name, in order. */
  readonly pdus: { command: string; fields: Record<string, unknown> }[];
  /** Every submit_sm accepted. */
  readonly accepted: ReceivedPart[];
  readonly binds: number;
  /** The ESME's answer (command_status) to each receipt delivered, in order; one answered non-zero is sent again. */
  readonly receiptAnswers: { messageId: string; status: number }[];
  /** The next `count` submit_sm are answered with `status` (e.g. smpp.ESME_RTHROTTLED) and not accepted. */
  refuseNext(count: number, status: number): void;
  /** After `afterAccepted` more accepted parts, the next submit_sm is taken (counted as accepted) but the connection
   *  is dropped before it is answered; with `takeIt: false` the connection is dropped without taking it. */
  dropAfter(afterAccepted: number, options?: { takeIt?: boolean }): void;
  /** Receipt stat for a destination (default DELIVRD); undefined: no receipt at all. */
  receiptStat: (destinationAddr: string) => string | undefined;
  close(): Promise<void>;
}

/** Times a receipt answered with an error is delivered again. */
const RECEIPT_REDELIVERIES = 3;

export async function startTestSmsc(options: { systemId: string; password: string; receiptDelayMs?: number }): Promise<TestSmsc> {
  const sessions = new Set<Session>();
  let nextId = 0x1000;
  let refuse = { count: 0, status: 0 };
  let drop: { after: number; takeIt: boolean } | undefined;
  const state = {
    pdus: [] as TestSmsc['pdus'],
    accepted: [] as ReceivedPart[],
    binds: 0,
    receiptAnswers: [] as TestSmsc['receiptAnswers'],
    receiptStat: (_: string): string | undefined => 'DELIVRD',
  };

  const server: Server = smpp.createServer({}, (session) => {
    sessions.add(session);
    let bound = false;
    session.on('close', () => sessions.delete(session));
    session.on('error', () => {});
    session.on('pdu', (pdu: Pdu) => {
      const fields: Record<string, unknown> = {};
      for (const [key, value] of Object.entries(pdu)) if (typeof value !== 'function') fields[key] = value;
      state.pdus.push({ command: pdu.command, fields });
    });
    session.on('bind_transceiver', (pdu: Pdu) => {
      if (pdu['system_id'] !== options.systemId || pdu['password'] !== options.password) {
        session.send(pdu.response({ command_status: smpp.ESME_RBINDFAIL }));
        session.close();
        return;
      }
      bound = true;
      state.binds += 1;
      session.send(pdu.response({ system_id: 'ringcast-test-smsc' }));
    });
    session.on('enquire_link', (pdu: Pdu) => session.send(pdu.response()));
    session.on('unbind', (pdu: Pdu) => {
      session.send(pdu.response());
      session.close();
    });
    session.on('submit_sm', (pdu: Pdu) => {
      if (!bound) {
        session.send(pdu.response({ command_status: smpp.ESME_RINVBNDSTS ?? 0x04 }));
        return;
      }
      if (refuse.count > 0) {
        refuse.count -= 1;
        session.send(pdu.response({ command_status: refuse.status }));
        return;
      }
      if (drop && drop.after === 0 && !drop.takeIt) {
        drop = undefined;
        session.destroy();
        return;
      }
      const messageId = (nextId++).toString(16);
      const message = pdu['short_message'] as { udh?: Buffer[]; message: string };
      const part: ReceivedPart = {
        messageId,
        sourceAddr: String(pdu['source_addr']),
        sourceTon: Number(pdu['source_addr_ton']),
        destinationAddr: String(pdu['destination_addr']),
        dataCoding: Number(pdu['data_coding']),
        esmClass: Number(pdu['esm_class']),
        registeredDelivery: Number(pdu['registered_delivery']),
        udh: message.udh?.[0],
        text: message.message,
      };
      state.accepted.push(part);
      if (drop) {
        if (drop.after === 0) {
          // Taken, but the answer is lost with the connection: the provider cannot know it was accepted.
          drop = undefined;
          session.destroy();
          return;
        }
        drop.after -= 1;
      }
      session.send(pdu.response({ message_id: messageId }));
      const stat = state.receiptStat(part.destinationAddr);
      if (stat !== undefined && part.registeredDelivery === 1) {
        const now = new Date();
        // A receipt the ESME answers with an error is delivered again, as an SMSC keeps it until it is taken.
        const deliver = (attemptsLeft: number) =>
          setTimeout(() => {
            if (!sessions.has(session)) return;
            session.deliver_sm(
              {
                source_addr: part.destinationAddr,
                destination_addr: part.sourceAddr,
                esm_class: 0x04,
                short_message: formatReceipt({ messageId, stat, submitDate: now, doneDate: new Date() }),
                receipted_message_id: messageId,
              },
              (response: Pdu) => {
                state.receiptAnswers.push({ messageId, status: response.command_status });
                if (response.command_status !== 0 && attemptsLeft > 0) deliver(attemptsLeft - 1);
              },
            );
          }, options.receiptDelayMs ?? 5);
        deliver(RECEIPT_REDELIVERIES);
      }
    });
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('test SMSC: no port');
  return {
    port: address.port,
    get pdus() {
      return state.pdus;
    },
    get accepted() {
      return state.accepted;
    },
    get binds() {
      return state.binds;
    },
    get receiptAnswers() {
      return state.receiptAnswers;
    },
    get receiptStat() {
      return state.receiptStat;
    },
    set receiptStat(f) {
      state.receiptStat = f;
    },
    refuseNext(count, status) {
      refuse = { count, status };
    },
    dropAfter(afterAccepted, dropOptions) {
      drop = { after: afterAccepted, takeIt: dropOptions?.takeIt ?? true };
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const session of sessions) session.destroy();
        server.close(() => resolve());
      }),
  };
}
