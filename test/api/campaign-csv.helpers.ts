// Shared by the CSV import and export tests: multipart bodies built by the platform's own FormData encoder.
import type { LightMyRequestResponse } from 'fastify';
import { validCampaign, type Tenant, type TestApp } from '../helpers/app.js';

export const CSV_CREATE_URL = '/api/campaigns/voice/csv';

export interface Part {
  name: string;
  /** Text, or bytes sent as a file part. */
  value: string | Uint8Array;
  filename?: string;
}

/** A multipart/form-data body of `parts` in the order given, with its content type. */
export async function multipartBody(parts: readonly Part[]): Promise<{ body: Buffer; contentType: string }> {
  const form = new FormData();
  for (const part of parts) {
    if (typeof part.value === 'string' && part.filename === undefined) form.append(part.name, part.value);
    else form.append(part.name, new Blob([part.value as BlobPart]), part.filename ?? `${part.name}.csv`);
  }
  const request = new Request('http://localhost/', { method: 'POST', body: form });
  return { body: Buffer.from(await request.arrayBuffer()), contentType: request.headers.get('content-type')! };
}

/** The usual parts: campaign (JSON text), optional columns, then the file. */
export function csvParts(campaign: unknown, file: string | Uint8Array, columns?: unknown): Part[] {
  return [
    ...(campaign === undefined ? [] : [{ name: 'campaign', value: typeof campaign === 'string' ? campaign : JSON.stringify(campaign) }]),
    ...(columns === undefined ? [] : [{ name: 'columns', value: typeof columns === 'string' ? columns : JSON.stringify(columns) }]),
    { name: 'file', value: typeof file === 'string' ? new TextEncoder().encode(file) : file, filename: 'numbers.csv' },
  ];
}

export async function postMultipart(t: TestApp, tenant: Tenant, url: string, parts: readonly Part[]): Promise<LightMyRequestResponse> {
  const { body, contentType } = await multipartBody(parts);
  return t.app.inject({ method: 'POST', url, headers: { ...tenant.headers, 'content-type': contentType }, payload: body });
}

/** The fields of a valid campaign without phoneNumbers (validCampaign's, named). */
export function campaignFields(tenant: Tenant, name: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const { phoneNumbers: _numbersComeFromTheFile, ...fields } = validCampaign(tenant, { name, startDate: '2027-01-12', ...extra });
  return fields;
}
