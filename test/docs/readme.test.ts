// The README's tables are generated from the enums and the settings schema (npm run docs:tables); this keeps them
// from drifting when a value or a setting changes.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MENU_FLOW_EXAMPLE } from '../../src/callflow/examples.js';
import { ENUM_TABLES, enumTable, ratesTable, settingsTable, testNumberTable } from '../../scripts/doc-tables.js';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

describe('README', () => {
  it.each(Object.entries(ENUM_TABLES))('documents every value of %s', (_title, members) => {
    expect(readme).toContain(enumTable(members));
  });

  it('documents every setting with its default', () => {
    expect(readme).toContain(settingsTable());
  });

  it('documents every simulated-carrier test number and the default rates', () => {
    expect(readme).toContain(testNumberTable());
    expect(readme).toContain(ratesTable());
  });

  it('shows the menu call flow exactly as the demo runs it', () => {
    expect(readme).toContain(JSON.stringify(MENU_FLOW_EXAMPLE, null, 2));
  });

  it('keeps the two-command quick start', () => {
    expect(readme).toContain('npm install && npm start');
    expect(readme).toContain('npm test');
  });
});
