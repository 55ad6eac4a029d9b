// The SMPP 3.4 provider: one transceiver bind to the SMSC, kept up by enquire_link and rebuilt with backoff when it
// drops or the bind is refused. Texts wait (they are not lost) while the bind is down.
//
// States: idle -> connecting -> bound -> (connection lost | bind refused) -> waiting (backoff) -> connecting ...;
// stop() from any state -> closing (unbind when bound) -> stopped.
//
// Sending: every part of a text takes a slot in the window of outstanding submits and a turn of the rate
// (messagesPerSecond). submit_sm_resp statuses:
// - ESME_ROK: the part is accepted; its message_id is kept.
// - ESME_RTHROTTLED / ESME_RMSGQFUL: the SMSC is full; the rate is halved for a while and the part is sent again.
// - Any other status: permanent; the text ends failed with the status name (e.g. ESME_RINVDSTADR). Parts the SMSC
//   accepted before it stay accepted (SMPP cannot take them back).
// - No answer because the connection dropped: the part is sent again after the rebind. This is the one window in
//   which a part can reach a handset twice: the SMSC took it but its answer was lost with the connection.
// Receipts: deliver_sm with esm_class 0x04 is handed to onReceipt (matched by message id by the caller) and answered
// once onReceipt's promise settles: 0 when the receipt is written, ESME_RX_T_APPN ("temporary application error")
// when the write failed, so the SMSC keeps the receipt and delivers it again later (SMPP 3.4, 4.6.2). A receipt
// is therefore never acknowledged before it is in the database, and a crash of this process cannot lose it.
import smpp from 'smpp';
import type { Pdu, Session } from 'smpp';
import type { SmsProvider, SmsRequest, SmsResult } from '../sms-port.js';
import { systemClock, type Clock } from '../../domain/clock.js';
import { destinationAddress, ESM_CLASS_RECEIPT, senderAddress, submitParts, type SubmitPart } from './submit-rules.js';
import { parseReceipt, type Receipt } from './receipt.js';

export interface SmppProviderOptions {
  host: string;
  port: number;
  systemId: string;
  password: string;
  systemType?: string;
  tls?: boolean;
  messagesPerSecond: number;
  /** Outstanding submit_sm without a response, at most. */
  window: number;
  enquireLinkMs?: number;
  reconnectMinMs?: number;
  reconnectMaxMs?: number;
  /**
   * How long a text may wait for a bind before it ends failed ('no bind to the SMSC'): the dialer waits for the
   * send, so without a limit an SMSC that is down would hold calls' lines. Default 30 s.
   */
  bindWaitMs?: number;
  /** How long one submit_sm may wait for its response before the bind is taken as dead. */
  responseTimeoutMs?: number;
  /** Sender when a request has none (SMS_SENDER_DEFAULT). */
  defaultSender?: string;
  /** Writes a receipt; the deliver_sm is answered once it settles (a rejection asks the SMSC to send it again). */
  onReceipt?: (receipt: Receipt) => void | Promise<void>;
  log?: { info(obj: unknown, msg?: string): void; warn(obj: unknown, msg?: string): void };
  clock?: Clock;
}

type State = 'idle' | 'connecting' | 'bound' | 'waiting' | 'closing' | 'stopped';

class ConnectionLost extends Error {}

/** The name of an SMPP command_status, e.g. 0x0B -> ESME_RINVDSTADR. */
export function smppStatusName(status: number): string {
  const name = Object.entries(smpp.errors).find(([, code]) => code === status)?.[0];
  return name ?? `SMPP status 0x${status.toString(16).padStart(8, '0')}`;
}

export class SmppSmsProvider implements SmsProvider {
  readonly name = 'smpp';
  private state: State = 'idle';
  private session: Session | undefined;
  private boundWaiters: (() => void)[] = [];
  private windowWaiters: (() => void)[] = [];
  private outstanding = 0;
  private readonly inFlight = new Set<(error: Error) => void>();
  private nextSubmitAtMs = 0;
  private slowUntilMs = 0;
  private reconnectDelayMs: number;
  private reference = 0;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private readonly clock: Clock;

  constructor(private readonly options: SmppProviderOptions) {
    this.clock = options.clock ?? systemClock;
    this.reconnectDelayMs = options.reconnectMinMs ?? 250;
    if (!(options.messagesPerSecond > 0)) throw new RangeError('messagesPerSecond must be > 0');
    if (!Number.isInteger(options.window) || options.window < 1) throw new RangeError('window must be an integer >= 1');
  }

  get isBound(): boolean {
    return this.state === 'bound';
  }

  /** Starts binding; send() waits for the bind, so this need not be awaited. Resolves at the first bind. */
  start(): Promise<void> {
    if (this.state === 'idle') this.connect();
    return this.state === 'bound' ? Promise.resolve() : new Promise((resolve) => this.boundWaiters.push(resolve));
  }

  /** Unbinds (waiting up to timeoutMs for unbind_resp) and closes. Texts still waiting fail with 'provider stopped'. */
  async stop(timeoutMs = 2000): Promise<void> {
    const session = this.session;
    const wasBound = this.state === 'bound';
    this.state = 'closing';
    clearTimeout(this.reconnectTimer);
    if (session && wasBound) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, timeoutMs);
        session.unbind({}, () => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    session?.destroy();
    this.session = undefined;
    this.state = 'stopped';
    for (const fail of this.inFlight) fail(new Error('provider stopped'));
    for (const wake of this.boundWaiters.splice(0)) wake();
    for (const wake of this.windowWaiters.splice(0)) wake();
  }

  close(): Promise<void> {
    return this.stop();
  }

  async send(request: SmsRequest): Promise<SmsResult> {
    const from = senderAddress(request.from === '' ? (this.options.defaultSender ?? '') : request.from);
    if (from instanceof Error) return { status: 'failed', reason: from.message };
    const to = destinationAddress(request.to);
    if (to instanceof Error) return { status: 'failed', reason: to.message };
    if (request.text === '') return { status: 'failed', reason: 'empty message' };
    this.reference = (this.reference + 1) & 0xff;
    const parts = submitParts({ from, to, text: request.text, reference: this.reference });
    // Parts go in order, one after another: handsets reassemble in any order, but an SMSC that refuses part 1
    // should not be sent parts 2.. of a text that can no longer be whole.
    const partIds: string[] = [];
    const giveUpAtMs = Date.now() + (this.options.bindWaitMs ?? 30_000);
    for (const part of parts) {
      const outcome = await this.submitUntilAnswered(part, giveUpAtMs);
      if (outcome.status === 'failed') {
        return { status: 'failed', reason: partIds.length > 0 ? `${outcome.reason} (after ${partIds.length} of ${parts.length} parts were accepted)` : outcome.reason };
      }
      partIds.push(outcome.messageId);
    }
    return { status: 'sent', providerId: partIds[0]!, partIds };
  }

  private async submitUntilAnswered(part: SubmitPart, giveUpAtMs: number): Promise<{ status: 'sent'; messageId: string } | { status: 'failed'; reason: string }> {
    for (;;) {
      if (this.state === 'stopped' || this.state === 'closing') return { status: 'failed', reason: 'provider stopped' };
      if (!(await this.takeTurn(giveUpAtMs))) return { status: 'failed', reason: 'no bind to the SMSC' };
      let response: Pdu;
      try {
        response = await this.submitOnce(part);
      } catch (error) {
        if (error instanceof ConnectionLost) continue; // sent again on the next bind
        return { status: 'failed', reason: (error as Error).message };
      } finally {
        this.releaseSlot();
      }
      const status = response.command_status;
      if (status === smpp.ESME_ROK) return { status: 'sent', messageId: String(response['message_id']) };
      if (status === smpp.ESME_RTHROTTLED || status === smpp.ESME_RMSGQFUL) {
        this.slowDown();
        continue;
      }
      return { status: 'failed', reason: smppStatusName(status) };
    }
  }

  /** Waits for the bind, a window slot and the rate's next turn, and takes the slot; false when no bind came by giveUpAtMs. */
  private async takeTurn(giveUpAtMs: number): Promise<boolean> {
    while (this.state !== 'bound' || this.outstanding >= this.options.window) {
      if (this.state === 'stopped' || this.state === 'closing') throw new Error('provider stopped');
      if (this.state !== 'bound') {
        const leftMs = giveUpAtMs - Date.now();
        if (leftMs <= 0) return false;
        let timer: NodeJS.Timeout | undefined;
        await new Promise<void>((resolve) => {
          this.boundWaiters.push(resolve);
          timer = setTimeout(resolve, leftMs);
        });
        clearTimeout(timer);
        continue;
      }
      await new Promise<void>((resolve) => this.windowWaiters.push(resolve));
    }
    this.outstanding += 1;
    const nowMs = this.clock.now().getTime();
    const rate = nowMs < this.slowUntilMs ? this.options.messagesPerSecond / 2 : this.options.messagesPerSecond;
    const atMs = Math.max(nowMs, this.nextSubmitAtMs);
    this.nextSubmitAtMs = atMs + 1000 / rate;
    // A timer cannot wait less than a millisecond: shorter waits are left owing (nextSubmitAtMs keeps the
    // average rate), or a fast rate would be held to one submit per timer tick.
    if (atMs - nowMs >= 1) await this.clock.sleep(atMs - nowMs);
    return true;
  }

  private releaseSlot(): void {
    this.outstanding -= 1;
    this.windowWaiters.shift()?.();
  }

  /** Throttled by the SMSC: half the rate for two seconds, and a pause of one interval before the next submit. */
  private slowDown(): void {
    const nowMs = this.clock.now().getTime();
    this.slowUntilMs = nowMs + 2000;
    this.nextSubmitAtMs = Math.max(this.nextSubmitAtMs, nowMs + 2000 / this.options.messagesPerSecond);
  }

  private submitOnce(part: SubmitPart): Promise<Pdu> {
    const session = this.session;
    if (!session || this.state !== 'bound') return Promise.reject(new ConnectionLost());
    return new Promise<Pdu>((resolve, reject) => {
      const timeoutMs = this.options.responseTimeoutMs ?? 10_000;
      const fail = (error: Error) => {
        clearTimeout(timer);
        this.inFlight.delete(fail);
        reject(error);
      };
      const timer = setTimeout(() => {
        // A bind that does not answer is dead: drop it, so every waiting part goes again on a fresh one.
        this.options.log?.warn({ timeoutMs }, 'smpp: submit_sm unanswered; dropping the bind');
        session.destroy();
      }, timeoutMs);
      this.inFlight.add(fail);
      session.submit_sm({ ...part }, (response) => {
        clearTimeout(timer);
        this.inFlight.delete(fail);
        resolve(response);
      });
    });
  }

  private connect(): void {
    if (this.state === 'closing' || this.state === 'stopped') return;
    this.state = 'connecting';
    const session = smpp.connect({
      host: this.options.host,
      port: this.options.port,
      tls: this.options.tls ?? false,
      auto_enquire_link_period: this.options.enquireLinkMs ?? 30_000,
    });
    this.session = session;
    const ready = this.options.tls ? 'secureConnect' : 'connect';
    session.on(ready, () => {
      session.bind_transceiver(
        {
          system_id: this.options.systemId,
          password: this.options.password,
          system_type: this.options.systemType ?? '',
          interface_version: 0x34,
        },
        (response) => {
          if (this.session !== session || this.state !== 'connecting') return;
          if (response.command_status !== smpp.ESME_ROK) {
            this.options.log?.warn({ status: smppStatusName(response.command_status) }, 'smpp: bind refused');
            session.destroy();
            return;
          }
          this.state = 'bound';
          this.reconnectDelayMs = this.options.reconnectMinMs ?? 250;
          this.options.log?.info({ host: this.options.host, port: this.options.port }, 'smpp: bound as transceiver');
          for (const wake of this.boundWaiters.splice(0)) wake();
        },
      );
    });
    session.on('deliver_sm', (pdu: Pdu) => {
      // A mobile-originated text is not ours to take; it is answered (taken) so the SMSC does not resend it forever.
      if ((Number(pdu['esm_class']) & ESM_CLASS_RECEIPT) === 0) return session.send(pdu.response());
      const message = pdu['short_message'] as { message?: unknown } | undefined;
      const text = typeof message?.message === 'string' ? message.message : Buffer.isBuffer(message?.message) ? message.message.toString('latin1') : '';
      const receiptedId = typeof pdu['receipted_message_id'] === 'string' ? pdu['receipted_message_id'] : undefined;
      const receipt = parseReceipt(text, receiptedId);
      if (!receipt) {
        this.options.log?.warn({ text }, 'smpp: deliver_sm receipt not understood');
        return session.send(pdu.response());
      }
      Promise.resolve()
        .then(() => this.options.onReceipt?.(receipt))
        .then(
          () => session.send(pdu.response()),
          (error: Error) => {
            this.options.log?.warn({ err: error.message, messageId: receipt.messageId }, 'smpp: receipt not recorded; the SMSC is asked to send it again');
            session.send(pdu.response({ command_status: smpp.ESME_RX_T_APPN }));
          },
        );
    });
    session.on('enquire_link', (pdu: Pdu) => session.send(pdu.response()));
    session.on('unbind', (pdu: Pdu) => {
      session.send(pdu.response());
      session.destroy();
    });
    session.on('error', (error: Error) => this.options.log?.warn({ err: error.message }, 'smpp: connection error'));
    session.on('close', () => this.onClose(session));
  }

  private onClose(session: Session): void {
    if (this.session !== session) return;
    this.session = undefined;
    for (const fail of [...this.inFlight]) fail(new ConnectionLost());
    if (this.state === 'closing' || this.state === 'stopped') return;
    this.state = 'waiting';
    const delayMs = this.reconnectDelayMs;
    this.reconnectDelayMs = Math.min(delayMs * 2, this.options.reconnectMaxMs ?? 30_000);
    this.options.log?.warn({ delayMs }, 'smpp: connection lost; reconnecting');
    this.reconnectTimer = setTimeout(() => this.connect(), delayMs);
  }
}
