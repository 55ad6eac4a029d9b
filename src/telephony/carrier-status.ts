// The carrier as the operator sees it (GET /api/admin/carrier): which carrier the settings chose and, for SIP, each
// trunk with its registration state. The states are live only where the SIP carrier runs in this process: the server
// that starts the dialer hands this board a read-only view of the carrier's registrations (watch); an API-only
// process lists the configured trunks with their state unknown, and says why.
import type { Settings } from '../config/settings.js';
import type { Carrier } from './carrier.js';
import { SipCarrier, type TrunkRegistrationStatus } from './sip/carrier/sip-carrier.js';
import { trunksFromSettings, type SipTrunk, type TrunkSettings } from './sip/carrier/trunk-config.js';

/** A trunk's registration as shown: one source for the schema (src/api/schemas/carrier-status.ts) and the mapping. */
export const TRUNK_REGISTRATIONS = ['registered', 'unregistered', 'failed', 'not-required', 'unknown'] as const;
export type TrunkRegistration = (typeof TRUNK_REGISTRATIONS)[number];

export interface TrunkStatus {
  name: string;
  /** transport:host[:port], as the startup banner shows trunks. */
  address: string;
  registration: TrunkRegistration;
  /** Why, in words: the registrar's answer, when the binding runs out, when the next try goes. */
  detail?: string;
}

export interface CarrierStatus {
  carrier: Settings['CARRIER'];
  trunks: TrunkStatus[];
  /** Said when the trunks' states cannot be known here. */
  note?: string;
}

/** What the board reads from a running SIP carrier: its registrations, nothing that could act on it. */
export interface TrunkRegistrationReader {
  registrations(): readonly TrunkRegistrationStatus[];
}

/** The read-only registration view of a carrier, or undefined for a carrier without trunks (the simulated one). */
export function trunkRegistrationsOf(carrier: Carrier): TrunkRegistrationReader | undefined {
  return carrier instanceof SipCarrier ? { registrations: () => carrier.registrations() } : undefined;
}

export const NO_DIALER_NOTE =
  'No dialer runs in this process (API only), so the trunks are listed as configured; their registration is known to the dialer process (see its log).';
const SIMULATED_NOTE = 'The simulated carrier places no real calls and has no trunks.';

export class CarrierStatusBoard {
  private reader: TrunkRegistrationReader | undefined;

  constructor(private readonly settings: TrunkSettings & Pick<Settings, 'CARRIER'>) {}

  /** Called once the dialer's carrier runs in this process; undefined leaves the trunks as configured. */
  watch(reader: TrunkRegistrationReader | undefined): void {
    this.reader = reader;
  }

  status(): CarrierStatus {
    if (this.settings.CARRIER === 'simulated') return { carrier: 'simulated', trunks: [], note: SIMULATED_NOTE };
    // The settings were checked at start-up (loadSettings), so the trunks parse.
    const trunks = trunksFromSettings(this.settings);
    const live = this.reader?.registrations();
    return { carrier: 'sip', trunks: trunkStatuses(trunks, live), ...(live === undefined ? { note: NO_DIALER_NOTE } : {}) };
  }
}

/** Each trunk's registration: live states when `live` is given (the carrier runs here), else unknown. */
export function trunkStatuses(trunks: readonly SipTrunk[], live: readonly TrunkRegistrationStatus[] | undefined): TrunkStatus[] {
  return trunks.map((trunk) => {
    const address = `${trunk.transport}:${trunk.host}${trunk.port !== undefined ? `:${trunk.port}` : ''}`;
    if (!trunk.register) return { name: trunk.name, address, registration: 'not-required' };
    const status = live?.find((entry) => entry.trunk === trunk.name);
    if (status === undefined) return { name: trunk.name, address, registration: 'unknown' };
    return { name: trunk.name, address, ...shownRegistration(status) };
  });
}

function shownRegistration(status: TrunkRegistrationStatus): { registration: TrunkRegistration; detail: string } {
  const { state, detail, registeredUntil } = status;
  const answer = detail.status !== undefined ? ` (SIP ${detail.status})` : '';
  switch (state) {
    case 'registered':
      return { registration: 'registered', detail: registeredUntil ? `registered until ${registeredUntil.toISOString()}` : detail.reason };
    case 'retrying': {
      const retry = detail.retryInMs !== undefined ? `; next try in ${Math.ceil(detail.retryInMs / 1000)} s` : '';
      return { registration: 'failed', detail: `${detail.reason}${answer}${retry}` };
    }
    // Not (yet, or any longer) registered: the first REGISTER is on its way, or the carrier is stopping.
    case 'unregistered':
    case 'registering':
    case 'unregistering':
    case 'stopped':
      return { registration: 'unregistered', detail: `${state}: ${detail.reason}${answer}` };
  }
}
