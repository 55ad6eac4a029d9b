// The `smpp` package ships no types: the small part of its API Ringcast uses (see node_modules/smpp/README.md).
declare module 'smpp' {
  import type { EventEmitter } from 'node:events';
  import type { Socket } from 'node:net';

  export interface Pdu {
    command: string;
    command_status: number;
    sequence_number: number;
    [field: string]: unknown;
    response(options?: Record<string, unknown>): Pdu;
    isResponse(): boolean;
  }

  export class Session extends EventEmitter {
    socket: Socket;
    send(pdu: Pdu, responseCallback?: (response: Pdu) => void, sendCallback?: () => void): boolean;
    close(callback?: () => void): void;
    destroy(callback?: () => void): void;
    pause(): void;
    resume(): void;
    bind_transceiver(options: Record<string, unknown>, callback?: (response: Pdu) => void): boolean;
    submit_sm(options: Record<string, unknown>, callback?: (response: Pdu) => void): boolean;
    deliver_sm(options: Record<string, unknown>, callback?: (response: Pdu) => void): boolean;
    enquire_link(options?: Record<string, unknown>, callback?: (response: Pdu) => void): boolean;
    unbind(options?: Record<string, unknown>, callback?: (response: Pdu) => void): boolean;
  }

  export class Server extends EventEmitter {
    listen(port: number, host: string, callback?: () => void): this;
    close(callback?: () => void): void;
    address(): { port: number } | string | null;
  }

  export interface ConnectOptions {
    host: string;
    port: number;
    tls?: boolean;
    auto_enquire_link_period?: number;
    [option: string]: unknown;
  }

  export function connect(options: ConnectOptions, listener?: () => void): Session;
  export function createServer(options: Record<string, unknown>, listener: (session: Session) => void): Server;
  export const errors: Record<string, number>;
  export const ESME_ROK: number;
  export const ESME_RTHROTTLED: number;
  export const ESME_RMSGQFUL: number;
  export const ESME_RBINDFAIL: number;
  export const ESME_RINVPASWD: number;
  export const ESME_RSYSERR: number;
  export const ESME_RINVDSTADR: number;
  const smpp: {
    connect: typeof connect;
    createServer: typeof createServer;
    errors: typeof errors;
    ESME_ROK: number;
    ESME_RTHROTTLED: number;
    ESME_RMSGQFUL: number;
    ESME_RBINDFAIL: number;
    ESME_RINVPASWD: number;
    ESME_RSYSERR: number;
    ESME_RINVDSTADR: number;
    ESME_RINVBNDSTS: number;
    ESME_RX_T_APPN: number;
  };
  export default smpp;
}
