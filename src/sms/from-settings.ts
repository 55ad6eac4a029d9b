// The SMS provider SMS_PROVIDER names, built from the settings (validated already by loadSettings).
import type { Settings } from '../config/settings.js';
import type { Clock } from '../domain/clock.js';
import type { SmsProvider } from './sms-port.js';
import { SimulatedSmsProvider } from './simulated-sms.js';
import { SmppSmsProvider } from './smpp/smpp-provider.js';
import { KannelSmsProvider } from './kannel/kannel-provider.js';
import type { Receipt } from './smpp/receipt.js';

export interface SmsProviderHandle {
  provider: SmsProvider;
  /** Unbinds / closes; texts still waiting fail. */
  stop(): Promise<void>;
}

export function smsProviderFromSettings(
  settings: Settings,
  args: { clock: Clock; log: { info(obj: unknown, msg?: string): void; warn(obj: unknown, msg?: string): void }; onReceipt?: (receipt: Receipt) => Promise<void> },
): SmsProviderHandle {
  if (settings.SMS_PROVIDER === 'smpp') {
    // loadSettings refuses SMS_PROVIDER=smpp (or kannel, below) without these, so they are set here.
    const provider = new SmppSmsProvider({
      host: settings.SMPP_HOST!,
      port: settings.SMPP_PORT,
      systemId: settings.SMPP_SYSTEM_ID!,
      password: settings.SMPP_PASSWORD!,
      systemType: settings.SMPP_SYSTEM_TYPE,
      tls: settings.SMPP_TLS,
      messagesPerSecond: settings.SMPP_MESSAGES_PER_SECOND,
      window: settings.SMPP_WINDOW,
      enquireLinkMs: settings.SMPP_ENQUIRE_LINK_S * 1000,
      ...(settings.SMS_SENDER_DEFAULT !== undefined ? { defaultSender: settings.SMS_SENDER_DEFAULT } : {}),
      ...(args.onReceipt ? { onReceipt: args.onReceipt } : {}),
      log: args.log,
      clock: args.clock,
    });
    void provider.start();
    return { provider, stop: () => provider.stop() };
  }
  if (settings.SMS_PROVIDER === 'kannel') {
    // Receipts come back over HTTP to the API (src/api/routes/kannel-dlr.ts), not through onReceipt.
    const provider = new KannelSmsProvider({
      sendsmsUrl: settings.KANNEL_SENDSMS_URL!,
      user: settings.KANNEL_USER!,
      password: settings.KANNEL_PASSWORD!,
      dlrBaseUrl: settings.KANNEL_DLR_BASE_URL!,
      dlrSecret: settings.KANNEL_DLR_SECRET!,
      ...(settings.KANNEL_SMSC !== undefined ? { smsc: settings.KANNEL_SMSC } : {}),
      ...(settings.SMS_SENDER_DEFAULT !== undefined ? { defaultSender: settings.SMS_SENDER_DEFAULT } : {}),
      timeoutMs: settings.KANNEL_TIMEOUT_MS,
      log: args.log,
    });
    return { provider, stop: async () => {} };
  }
  return { provider: new SimulatedSmsProvider({ clock: args.clock }), stop: async () => {} };
}
