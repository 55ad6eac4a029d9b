// GET /api/admin/carrier: the operator's view of the carrier (src/telephony/carrier-status.ts for the trunks,
// src/store/repositories/carrier-status.ts for the figures).
import { Type } from '@sinclair/typebox';
import { TRUNK_REGISTRATIONS } from '../../telephony/carrier-status.js';
import { SettingsSchema } from '../../config/settings.js';

export const CarrierStatusSchema = Type.Object({
  carrier: Type.Union(SettingsSchema.properties.CARRIER.anyOf, { description: 'The CARRIER setting' }),
  trunks: Type.Array(
    Type.Object({
      name: Type.String(),
      address: Type.String({ description: 'transport:host[:port]' }),
      registration: Type.Union(
        TRUNK_REGISTRATIONS.map((state) => Type.Literal(state)),
        {
          description:
            'registered / unregistered (not yet, or stopping) / failed (the registrar refused or did not answer; retrying) / not-required (the trunk does not register) / unknown (no SIP carrier runs in this process)',
        },
      ),
      detail: Type.Optional(Type.String({ description: "Why, in words: the registrar's answer, when the binding runs out" })),
    }),
  ),
  note: Type.Optional(Type.String({ description: 'Why the trunk states are not live here, when they are not' })),
  callsInFlight: Type.Array(Type.Object({ carrier: Type.String(), calls: Type.Integer() }), {
    description: 'Calls being dialled or talking now, per carrier, every campaign',
  }),
  recentFailures: Type.Array(Type.Object({ sipCode: Type.Integer(), calls: Type.Integer() }), {
    description: 'Calls started in the last hour that ended with a SIP code of 400 or more, per code, most frequent first',
  }),
});
