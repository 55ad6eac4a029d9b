/**
 * A dialog on the UAC side (RFC 3261 section 12): the peer-to-peer relationship an INVITE creates with one UAS.
 * It owns the state section 12.1.2 lists (Call-ID, tags, local and remote sequence numbers, remote target, route
 * set) and builds the requests sent within it (section 12.2.1.1), including where to send them.
 *
 * One INVITE may create several dialogs when a proxy forks it: one per To-tag. A provisional response with a To-tag
 * makes an early dialog; a 2xx makes (or confirms) a confirmed one (section 13.2.2.4).
 */
import {
  getParam,
  formatSipUri,
  parseContact,
  parseCSeq,
  parseFromTo,
  parseNameAddrList,
  type HeaderResult,
  type NameAddr,
  type SipUri,
} from '../message/headers.js';
import { getHeader, getHeaders, type SipHeader, type SipRequest, type SipResponse } from '../message/types.js';
import type { SipTarget } from '../transaction/types.js';
import { resolveIpLiteralOrFallback, type UriTargetResolver } from './next-hop.js';

export type DialogState = 'early' | 'confirmed' | 'terminated';

/** Section 12: a dialog is identified by Call-ID, local tag and remote tag. */
export interface DialogId {
  callId: string;
  localTag: string;
  remoteTag: string;
}

/** A map key for a dialog id. */
export function dialogKey(id: DialogId): string {
  return `${id.callId}\n${id.localTag}\n${id.remoteTag}`;
}

export interface UacDialogOptions {
  /** Where the INVITE was sent; the next hop when a route or target is a host name the resolver cannot place. */
  fallbackTarget: SipTarget;
  resolveUriTarget?: UriTargetResolver;
  /**
   * The INVITE's Request-URI, used as remote target when the response has no usable Contact. Section 13.3.1.4 makes
   * Contact mandatory in a 2xx, but some gateways omit it; sending in-dialog requests to the Request-URI through the
   * trunk still reaches them.
   */
  requestUri?: string;
}

export interface DialogRequestOptions {
  /** ACK only: the CSeq number of the INVITE being acknowledged (default: the last INVITE of this dialog). */
  cseq?: number;
  headers?: readonly SipHeader[];
  body?: Buffer;
  contentType?: string;
}

export interface DialogRequest {
  request: SipRequest;
  /** Where to send it: the first route, else the remote target (section 12.2.1.1, then RFC 3263). */
  target: SipTarget;
}

function fail(error: string): { ok: false; error: string } {
  return { ok: false, error };
}

/** The Request-URI must not carry URI headers or a method parameter (section 19.1.1, table 1). */
function asRequestUri(uri: SipUri, text: string): string {
  if (uri.headers === undefined && getParam(uri.params, 'method') === undefined) return text;
  const { headers: _headers, ...rest } = uri;
  return formatSipUri({ ...rest, params: uri.params.filter(([name]) => name !== 'method') });
}

export class SipDialog {
  readonly callId: string;
  readonly localTag: string;
  readonly remoteTag: string;
  private stateValue: DialogState;
  private localSeq: number;
  private lastInviteSeq: number;
  private remoteSeq: number | undefined;
  /** The From of our INVITE (local URI + local tag) and the To of the response (remote URI + remote tag). */
  private readonly fromValue: string;
  private readonly toValue: string;
  private remoteTarget: { uri: SipUri; text: string };
  private routeSet: NameAddr[];
  private readonly fallbackTarget: SipTarget;
  private readonly resolve: UriTargetResolver;

  private constructor(init: {
    callId: string;
    localTag: string;
    remoteTag: string;
    state: DialogState;
    localSeq: number;
    fromValue: string;
    toValue: string;
    remoteTarget: { uri: SipUri; text: string };
    routeSet: NameAddr[];
    options: UacDialogOptions;
  }) {
    this.callId = init.callId;
    this.localTag = init.localTag;
    this.remoteTag = init.remoteTag;
    this.stateValue = init.state;
    this.localSeq = init.localSeq;
    this.lastInviteSeq = init.localSeq;
    this.fromValue = init.fromValue;
    this.toValue = init.toValue;
    this.remoteTarget = init.remoteTarget;
    this.routeSet = init.routeSet;
    this.fallbackTarget = init.options.fallbackTarget;
    this.resolve = init.options.resolveUriTarget ?? resolveIpLiteralOrFallback;
  }

  /**
   * Section 12.1.2, UAC behaviour: the dialog a response to our INVITE establishes. A 101-199 with a To-tag gives an
   * early dialog, a 2xx a confirmed one. The response alone is enough (From, To, Call-ID and CSeq are copied from
   * the request, section 8.2.6.2), which also lets us build a dialog for a stray 2xx to forget it with a BYE.
   * A response we cannot build a dialog from (no To-tag, bad Record-Route...) is an error result, never a throw.
   */
  static fromResponse(response: SipResponse, options: UacDialogOptions): HeaderResult<SipDialog> {
    if (response.status < 101 || response.status >= 300) return fail(`a ${response.status} does not create a dialog`);
    const callId = getHeader(response.headers, 'Call-ID')?.trim();
    if (!callId) return fail('response without Call-ID');
    const fromValue = getHeader(response.headers, 'From');
    const toValue = getHeader(response.headers, 'To');
    const cseqValue = getHeader(response.headers, 'CSeq');
    if (fromValue === undefined || toValue === undefined || cseqValue === undefined) return fail('response without From, To or CSeq');
    const from = parseFromTo(fromValue);
    if (!from.ok) return fail(`bad From: ${from.error}`);
    const to = parseFromTo(toValue);
    if (!to.ok) return fail(`bad To: ${to.error}`);
    if (!from.value.tag) return fail('From without tag');
    if (!to.value.tag) return fail('response without To-tag');
    const cseq = parseCSeq(cseqValue);
    if (!cseq.ok) return fail(cseq.error);
    const targetAndRoutes = SipDialog.targetAndRoutesOf(response, options);
    if (!targetAndRoutes.ok) return targetAndRoutes;
    return {
      ok: true,
      value: new SipDialog({
        callId,
        localTag: from.value.tag,
        remoteTag: to.value.tag,
        state: response.status < 200 ? 'early' : 'confirmed',
        localSeq: cseq.value.seq,
        fromValue,
        toValue,
        remoteTarget: targetAndRoutes.value.remoteTarget,
        routeSet: targetAndRoutes.value.routeSet,
        options,
      }),
    };
  }

  /**
   * Section 12.1.2: the route set is the Record-Route list in reverse order (URIs only, all their parameters kept);
   * the remote target is the Contact URI.
   */
  private static targetAndRoutesOf(
    response: SipResponse,
    options: UacDialogOptions,
  ): HeaderResult<{ remoteTarget: { uri: SipUri; text: string }; routeSet: NameAddr[] }> {
    const recordRoutes = getHeaders(response.headers, 'Record-Route');
    const routes = parseNameAddrList(recordRoutes);
    if (!routes.ok) return fail(`bad Record-Route: ${routes.error}`);
    const remoteTarget = SipDialog.contactTargetOf(response.headers) ?? SipDialog.requestUriTarget(options.requestUri);
    if (!remoteTarget) return fail('response without a usable Contact');
    return { ok: true, value: { remoteTarget, routeSet: [...routes.value].reverse() } };
  }

  private static contactTargetOf(headers: readonly SipHeader[]): { uri: SipUri; text: string } | undefined {
    const contacts = getHeaders(headers, 'Contact');
    if (contacts.length === 0) return undefined;
    const parsed = parseContact(contacts);
    if (!parsed.ok || parsed.value === 'star') return undefined;
    const first = parsed.value[0];
    return first ? { uri: first.uri, text: first.uriText } : undefined;
  }

  private static requestUriTarget(requestUri: string | undefined): { uri: SipUri; text: string } | undefined {
    if (requestUri === undefined) return undefined;
    const parsed = parseContact(`<${requestUri}>`);
    if (!parsed.ok || parsed.value === 'star') return undefined;
    const first = parsed.value[0];
    return first ? { uri: first.uri, text: first.uriText } : undefined;
  }

  get state(): DialogState {
    return this.stateValue;
  }

  get id(): DialogId {
    return { callId: this.callId, localTag: this.localTag, remoteTag: this.remoteTag };
  }

  get key(): string {
    return dialogKey(this.id);
  }

  /** The remote target URI as written in the Contact. */
  get remoteTargetUri(): string {
    return this.remoteTarget.text;
  }

  /** The route set URIs, in the order requests visit them. */
  get routeSetUris(): string[] {
    return this.routeSet.map((r) => r.uriText);
  }

  /** The CSeq number of the last request we sent in this dialog. */
  get localSequence(): number {
    return this.localSeq;
  }

  /** The CSeq number of the last INVITE in this dialog: the number its ACK reuses (section 13.2.2.4). */
  get lastInviteSequence(): number {
    return this.lastInviteSeq;
  }

  /**
   * Section 12.2.1.1: loose routing when the first route has the `lr` parameter (RFC 3261 proxies); without it the
   * first proxy is a strict router from RFC 2543.
   */
  get usesLooseRouting(): boolean {
    const first = this.routeSet[0];
    return first === undefined || getParam(first.uri.params, 'lr') !== undefined;
  }

  /**
   * Section 13.2.2.4: a 2xx for an early dialog confirms it, and its route set and remote target are recomputed
   * from the 2xx (the early ones came from a provisional response).
   */
  confirm(response: SipResponse, options: UacDialogOptions): HeaderResult<void> {
    if (this.stateValue === 'terminated') return fail('dialog terminated');
    const targetAndRoutes = SipDialog.targetAndRoutesOf(response, options);
    if (!targetAndRoutes.ok) return targetAndRoutes;
    this.remoteTarget = targetAndRoutes.value.remoteTarget;
    this.routeSet = targetAndRoutes.value.routeSet;
    this.stateValue = 'confirmed';
    const cseq = parseCSeq(getHeader(response.headers, 'CSeq') ?? '');
    if (cseq.ok && cseq.value.seq > this.localSeq) this.localSeq = this.lastInviteSeq = cseq.value.seq;
    return { ok: true, value: undefined };
  }

  /**
   * Section 12.2 (target refresh): a re-INVITE we receive, or the 2xx to one we sent, may move the remote target to a
   * new Contact. The route set never changes after the dialog is made. A missing or bad Contact leaves it as it was.
   */
  refreshRemoteTarget(headers: readonly SipHeader[]): void {
    const target = SipDialog.contactTargetOf(headers);
    if (target) this.remoteTarget = target;
  }

  /**
   * Section 12.2.2: requests from the peer carry increasing CSeq numbers; a lower number than the last one is out of
   * order and gets a 500. The same number is let through (ACK and CANCEL reuse it; other duplicates are absorbed by
   * the transaction layer before they get here).
   */
  acceptRemoteSequence(seq: number): boolean {
    if (this.remoteSeq !== undefined && seq < this.remoteSeq) return false;
    this.remoteSeq = seq;
    return true;
  }

  terminate(): void {
    this.stateValue = 'terminated';
  }

  /** The address the next request goes to: the first route, else the remote target. */
  nextHopTarget(): SipTarget {
    const first = this.routeSet[0];
    return this.resolve(first ? first.uri : this.remoteTarget.uri, this.fallbackTarget);
  }

  /**
   * Section 12.2.1.1: a request within the dialog. BYE, INFO, re-INVITE... take the next local CSeq number; ACK
   * reuses the number of the INVITE it acknowledges (section 13.2.2.4). The stack adds Via and Content-Length.
   */
  createRequest(method: string, options: DialogRequestOptions = {}): DialogRequest {
    let seq: number;
    if (method === 'ACK') {
      seq = options.cseq ?? this.lastInviteSeq;
    } else {
      // Section 12.2.1.1: "the local sequence number MUST be incremented by one".
      seq = ++this.localSeq;
      if (method === 'INVITE') this.lastInviteSeq = seq;
    }
    let requestUri: string;
    const routes: string[] = [];
    const first = this.routeSet[0];
    if (first === undefined) {
      requestUri = asRequestUri(this.remoteTarget.uri, this.remoteTarget.text);
    } else if (this.usesLooseRouting) {
      requestUri = asRequestUri(this.remoteTarget.uri, this.remoteTarget.text);
      for (const route of this.routeSet) routes.push(`<${route.uriText}>`);
    } else {
      // Strict routing: the first route becomes the Request-URI, the rest of the route set and then the remote
      // target go in Route, so the strict router can rewrite the Request-URI hop by hop.
      requestUri = asRequestUri(first.uri, first.uriText);
      for (const route of this.routeSet.slice(1)) routes.push(`<${route.uriText}>`);
      routes.push(`<${this.remoteTarget.text}>`);
    }
    const headers: SipHeader[] = [];
    if (routes.length > 0) headers.push(['Route', routes.join(', ')]);
    headers.push(
      ['Max-Forwards', '70'],
      ['From', this.fromValue],
      ['To', this.toValue],
      ['Call-ID', this.callId],
      ['CSeq', `${seq} ${method}`],
    );
    for (const header of options.headers ?? []) headers.push([header[0], header[1]]);
    const body = options.body ?? Buffer.alloc(0);
    if (body.length > 0 && options.contentType !== undefined) headers.push(['Content-Type', options.contentType]);
    return {
      request: { kind: 'request', method, uri: requestUri, version: 'SIP/2.0', headers, body },
      target: this.nextHopTarget(),
    };
  }
}
