// The dlr-url Ringcast hands Kannel with each message. smsbox fetches it with GET for every delivery report it gets,
// after replacing its escapes (Kannel user guide, "sms-service" parameters): %d the report type, %A the SMSC's reply
// (for an SMPP receipt, its "id:... stat:... err:..." text), %T the report's Unix time. Ringcast's own parameters
// (id, token) are fixed when the message is sent. Pure.

/** The route the reports arrive at (src/api/routes/kannel-dlr.ts), below KANNEL_DLR_BASE_URL. */
export const KANNEL_DLR_PATH = '/api/sms/kannel/dlr';

export function kannelDlrUrl(args: { baseUrl: string; id: string; token: string }): string {
  const base = args.baseUrl.replace(/\/+$/, '');
  // The escapes go in literally (URLSearchParams would encode their %); id is a UUID and token base64url, neither
  // of which needs encoding, but both are encoded anyway so the rule does not depend on that.
  const own = `id=${encodeURIComponent(args.id)}&token=${encodeURIComponent(args.token)}`;
  return `${base}${KANNEL_DLR_PATH}?${own}&type=%d&status=%A&at=%T`;
}
