// One POST with 100,000 numbers must succeed and store every number (issue 2, "Scale"). Its speed is measured by a
// benchmark, not here: this only proves the path works end to end on each backend.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { count, eq } from 'drizzle-orm';
import { BACKENDS } from '../helpers/backends.js';
import { createTestApp, validCampaign, type Tenant, type TestApp } from '../helpers/app.js';
import { phoneNumbers } from '../../src/store/schema.js';
import { CREATE_URL, expectCreated, postCampaign, uniqueName } from './campaign-create.helpers.js';

const NUMBER_COUNT = 100_000;

describe.each(BACKENDS)('a 100,000-number campaign on $kind', ({ kind }) => {
  let t: TestApp;
  let tenant: Tenant;
  beforeAll(async () => {
    t = await createTestApp(kind);
    tenant = await t.createTenant();
  });
  afterAll(() => t.close());

  it(
    'is created by one POST, and every number is stored in upload order',
    async () => {
      // 07720000000, 07720000001, ...: distinct, valid UK mobiles.
      const numbers = Array.from({ length: NUMBER_COUNT }, (_, i) => ({
        number: `0772${String(i).padStart(7, '0')}`,
        name: `Customer ${i}`,
        parameters: [{ parameter: 1, value: `ref-${i}` }],
      }));
      const created = expectCreated(await postCampaign(t, tenant, validCampaign(tenant, { name: uniqueName('Bulk'), phoneNumbers: numbers })));
      expect(created.invalidPhoneNumbers).toEqual([]);
      expect(created.duplicatePhoneNumbers).toEqual([]);
      expect(created.phoneNumbers).toHaveLength(NUMBER_COUNT);

      const [stored] = await t.db.database.db.select({ total: count() }).from(phoneNumbers).where(eq(phoneNumbers.campaignId, created.id));
      expect(Number(stored?.total)).toBe(NUMBER_COUNT);

      // The documented listing agrees: its last page of 1,000 ends with the last number uploaded.
      const lastPage = await t.app.inject({ method: 'GET', url: `${CREATE_URL}/${created.id}/phonenumbers/1000/100`, headers: tenant.headers });
      const entries = lastPage.json() as { number: string; name: string; parameters: unknown[] }[];
      expect(entries).toHaveLength(1000);
      expect(entries.at(-1)).toMatchObject({ number: '+447720099999', name: 'Customer 99999', parameters: [{ value: 'ref-99999', parameter: 1 }] });
      const beyond = await t.app.inject({ method: 'GET', url: `${CREATE_URL}/${created.id}/phonenumbers/1000/101`, headers: tenant.headers });
      expect(beyond.json()).toEqual([]);
    },
    600_000,
  );
});
