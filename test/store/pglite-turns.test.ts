// takeTurns (src/store/pglite-turns.ts): statements queued inside PGlite let the event loop come round between them
// once the engine has used its budget, so a timer waiting behind two statements runs before the second is done.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PGlite } from '@electric-sql/pglite';
import { nextTurn, takeTurns } from '../../src/store/pglite-turns.js';

describe('takeTurns', () => {
  let client: PGlite;
  beforeAll(async () => {
    client = new PGlite();
    await client.waitReady;
  });
  afterAll(() => client.close());

  // Long enough to cross any budget: the engine runs it in one call.
  const slow = 'select count(*)::int as n from generate_series(1, 200000)';

  async function order(): Promise<string[]> {
    const seen: string[] = [];
    const first = client.query(slow).then(() => seen.push('first statement'));
    const second = client.query(slow).then(() => seen.push('second statement'));
    setTimeout(() => seen.push('timer'), 0);
    await Promise.all([first, second]);
    await new Promise((resolve) => setTimeout(resolve, 5));
    return seen;
  }

  it('runs queued statements back to back without it, and lets a timer run between them with it', async () => {
    expect(await order()).toEqual(['first statement', 'second statement', 'timer']);
    takeTurns(client, 1);
    // The timer runs before the second statement ends (before its result even, once the first has used the budget).
    const seen = await order();
    expect(seen.indexOf('timer')).toBeLessThan(seen.indexOf('second statement'));
    expect(seen.indexOf('first statement')).toBeLessThan(seen.indexOf('second statement'));
    // Results, transactions and errors are PGlite's own.
    expect((await client.query<{ n: number }>(slow)).rows).toEqual([{ n: 200_000 }]);
    await client.transaction(async (tx) => {
      await tx.query('create temporary table turns_probe (id int)');
      await tx.query('insert into turns_probe values (1), (2)');
    });
    expect((await client.query<{ n: number }>('select count(*)::int as n from turns_probe')).rows).toEqual([{ n: 2 }]);
    await expect(client.query('select * from no_such_table')).rejects.toThrow(/no_such_table/);
  });

  it('nextTurn resolves after a timer already due has run, wherever it is called from', async () => {
    const seen: string[] = [];
    setTimeout(() => seen.push('timer'), 0);
    await new Promise((resolve) => setTimeout(resolve, 2));
    setTimeout(() => seen.push('timer 2'), 0);
    await new Promise((resolve) => setImmediate(resolve));
    const start = Date.now();
    while (Date.now() - start < 3);
    await nextTurn();
    seen.push('after nextTurn');
    expect(seen).toEqual(['timer', 'timer 2', 'after nextTurn']);
  });
});
