// Shared by the campaign-creation test files: posting a body, and asserting on the ValidationProblemDetails answer.
import { expect } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import type { Tenant, TestApp } from '../helpers/app.js';

export const CREATE_URL = '/api/campaigns/voice';

export interface PostOptions {
  /** Appended to the create URL, e.g. '/true'. */
  path?: string;
  /** Defaults to application/json. */
  contentType?: string | undefined;
}

/** POSTs `body` (an object is sent as JSON, a string as is) as `tenant`. */
export function postCampaign(t: TestApp, tenant: Tenant, body: unknown, options: PostOptions = {}): Promise<LightMyRequestResponse> {
  const contentType = 'contentType' in options ? options.contentType : 'application/json';
  return t.app.inject({
    method: 'POST',
    url: `${CREATE_URL}${options.path ?? ''}`,
    headers: { ...tenant.headers, ...(contentType === undefined ? {} : { 'content-type': contentType }) },
    payload: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

export interface ValidationProblem {
  type: string;
  title: string;
  status: number;
  errors: Record<string, string[]>;
  traceId: string;
}

/** Asserts a 400 problem+json whose `errors` has exactly `fields` as keys; returns the body. */
export function expectValidationProblem(response: LightMyRequestResponse, fields: string[]): ValidationProblem {
  expect(response.statusCode, response.body).toBe(400);
  expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
  const problem = response.json() as ValidationProblem;
  expect(problem).toMatchObject({ status: 400, title: expect.any(String), type: expect.any(String), traceId: expect.any(String) });
  expect(Object.keys(problem.errors).sort()).toEqual([...fields].sort());
  for (const messages of Object.values(problem.errors)) {
    expect(messages.length).toBeGreaterThan(0);
    for (const message of messages) expect(typeof message).toBe('string');
  }
  return problem;
}

/** Asserts a 201 and returns the echoed campaign. */
export function expectCreated(response: LightMyRequestResponse): Record<string, unknown> & { id: number } {
  expect(response.statusCode, response.body).toBe(201);
  expect(response.headers['content-type']).toMatch(/^application\/json/);
  const created = response.json() as Record<string, unknown> & { id: number };
  expect(Number.isInteger(created.id)).toBe(true);
  expect(response.headers.location).toBe(`${CREATE_URL}/${created.id}`);
  return created;
}

let nameCounter = 0;
/** A campaign name no other test uses (names are unique per client). */
export function uniqueName(label: string): string {
  return `${label} #${++nameCounter}-${process.pid}`;
}

/** Every stored number of a campaign, in upload order, read through the documented listing. */
export async function storedNumbers(
  t: TestApp,
  tenant: Tenant,
  id: number,
): Promise<{ number: string; name: string; parameters: { value: string; parameter: number }[] }[]> {
  const response = await t.app.inject({ method: 'GET', url: `${CREATE_URL}/${id}/phonenumbers/1000/1`, headers: tenant.headers });
  expect(response.statusCode).toBe(200);
  return response.json();
}
