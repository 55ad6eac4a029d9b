// Prints the README's enumeration and settings tables from their one source (src/domain/enums.ts,
// src/config/settings.ts). test/docs/readme.test.ts fails when the README drifts from these.
import { AttemptSelector, CallOutcome, CallStage, CampaignStatus, CampaignType, NumberStatus, type EnumMember } from '../src/domain/enums.js';
import { testNumberTable } from '../src/telephony/simulated/test-numbers.js';
import { DEFAULT_RATES_GBP_PER_MINUTE } from '../src/domain/pricing.js';

export { testNumberTable };

export function ratesTable(): string {
  return [
    '| number type | GBP per minute |',
    '|---|---|',
    ...Object.entries(DEFAULT_RATES_GBP_PER_MINUTE).map(([type, rate]) => `| ${type} | ${rate} |`),
  ].join('\n');
}
import { SettingsSchema } from '../src/config/settings.js';

export function enumTable(members: readonly EnumMember[]): string {
  return ['| value | name | meaning |', '|---|---|---|', ...members.map((m) => `| ${m.value} | ${m.name} | ${m.description} |`)].join('\n');
}

export function settingsTable(): string {
  const rows = Object.entries(SettingsSchema.properties).map(([name, schema]) => {
    // x-default: a default that depends on other settings, in words.
    const { description = '', default: fallback, 'x-default': derived } = schema as { description?: string; default?: unknown; 'x-default'?: string };
    const shown = fallback !== undefined ? `\`${String(fallback)}\`` : derived ?? '(unset)';
    return `| \`${name}\` | ${shown} | ${description} |`;
  });
  return ['| variable | default | meaning |', '|---|---|---|', ...rows].join('\n');
}

export const ENUM_TABLES: Record<string, readonly EnumMember[]> = {
  'Campaign `type`': CampaignType.members,
  '`campaignStatus`': CampaignStatus.members,
  'Call `stage`': CallStage.members,
  'Call `outcome`': CallOutcome.members,
  '`AnswerPhoneMessage` (`answerMachineDetected`) and `SMSOnBusy`': AttemptSelector.members,
  'Phone number `status` (Ringcast extension)': NumberStatus.members,
};

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(settingsTable());
  for (const [title, members] of Object.entries(ENUM_TABLES)) console.log(`\n#### ${title}\n\n${enumTable(members)}`);
  console.log(`\n${testNumberTable()}\n\n${ratesTable()}`);
}
