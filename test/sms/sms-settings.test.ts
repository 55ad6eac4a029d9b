// SMS_PROVIDER and the SMPP_* / KANNEL_* settings: checked at start, one line per bad variable; a process with bad SMS
// settings stops before it binds anything.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSettings } from '../../src/config/settings.js';
import { smsProviderFromSettings } from '../../src/sms/from-settings.js';
import { SimulatedSmsProvider } from '../../src/sms/simulated-sms.js';
import { SmppSmsProvider } from '../../src/sms/smpp/smpp-provider.js';
import { KannelSmsProvider } from '../../src/sms/kannel/kannel-provider.js';
import { systemClock } from '../../src/domain/clock.js';
import { spawnRingcast } from '../helpers/processes.js';

const silent = { info: () => {}, warn: () => {} };

describe('SMS settings', () => {
  it('defaults to the simulated provider', () => {
    const handle = smsProviderFromSettings(loadSettings({}), { clock: systemClock, log: silent });
    expect(handle.provider).toBeInstanceOf(SimulatedSmsProvider);
  });

  it('names each missing SMPP variable', () => {
    expect(() => loadSettings({ SMS_PROVIDER: 'smpp' })).toThrow(/SMPP_HOST: needed with SMS_PROVIDER=smpp[\s\S]*SMPP_SYSTEM_ID: needed[\s\S]*SMPP_PASSWORD: needed/);
    expect(() => loadSettings({ SMS_PROVIDER: 'smpp', SMPP_HOST: 'h', SMPP_SYSTEM_ID: 'id', SMPP_PASSWORD: 'pw', SMPP_WINDOW: '0' })).toThrow(/SMPP_WINDOW/);
    expect(() => loadSettings({ SMPP_PASSWORD: 'longer-than-8' })).toThrow(/SMPP_PASSWORD/);
    expect(() => loadSettings({ SMS_SENDER_DEFAULT: '12345' })).toThrow(/SMS_SENDER_DEFAULT/);
    expect(() => loadSettings({ SMS_SENDER_DEFAULT: 'Ringcast Ltd' })).toThrow(/SMS_SENDER_DEFAULT/);
  });

  const KANNEL = {
    SMS_PROVIDER: 'kannel',
    KANNEL_SENDSMS_URL: 'http://127.0.0.1:13013/cgi-bin/sendsms',
    KANNEL_USER: 'ringcast',
    KANNEL_PASSWORD: 'pw',
    KANNEL_DLR_BASE_URL: 'http://10.0.0.5:3000',
    KANNEL_DLR_SECRET: 'a-secret-of-16-chars',
  };

  it('names each missing or bad Kannel variable', () => {
    expect(() => loadSettings({ SMS_PROVIDER: 'kannel' })).toThrow(
      /KANNEL_SENDSMS_URL: needed with SMS_PROVIDER=kannel[\s\S]*KANNEL_USER: needed[\s\S]*KANNEL_PASSWORD: needed[\s\S]*KANNEL_DLR_BASE_URL: needed[\s\S]*KANNEL_DLR_SECRET: needed/,
    );
    expect(() => loadSettings({ ...KANNEL, KANNEL_DLR_SECRET: 'too-short' })).toThrow(/KANNEL_DLR_SECRET/);
    expect(() => loadSettings({ ...KANNEL, KANNEL_SENDSMS_URL: '127.0.0.1:13013' })).toThrow(/KANNEL_SENDSMS_URL/);
    expect(() => loadSettings({ ...KANNEL, KANNEL_DLR_BASE_URL: 'ringcast.internal' })).toThrow(/KANNEL_DLR_BASE_URL/);
    expect(() => loadSettings({ ...KANNEL, KANNEL_DLR_BASE_URL: 'http://' })).toThrow(/KANNEL_DLR_BASE_URL="http:\/\/": not a URL/);
    expect(() => loadSettings({ ...KANNEL, KANNEL_TIMEOUT_MS: '5' })).toThrow(/KANNEL_TIMEOUT_MS/);
    // Kannel settings without SMS_PROVIDER=kannel are not checked for completeness.
    expect(loadSettings({ KANNEL_USER: 'x' }).SMS_PROVIDER).toBe('simulated');
  });

  it('builds the Kannel provider from complete settings', async () => {
    const handle = smsProviderFromSettings(loadSettings({ ...KANNEL, KANNEL_SMSC: 'smpp' }), { clock: systemClock, log: silent });
    expect(handle.provider).toBeInstanceOf(KannelSmsProvider);
    expect(handle.provider.name).toBe('kannel');
    await handle.stop();
  });

  it('builds the SMPP provider from complete settings', async () => {
    const settings = loadSettings({ SMS_PROVIDER: 'smpp', SMPP_HOST: '127.0.0.1', SMPP_PORT: '1', SMPP_SYSTEM_ID: 'ringcast', SMPP_PASSWORD: 'pw', SMS_SENDER_DEFAULT: 'Ringcast' });
    const handle = smsProviderFromSettings(settings, { clock: systemClock, log: silent });
    expect(handle.provider).toBeInstanceOf(SmppSmsProvider);
    await handle.stop();
  });

  it('a process with SMS_PROVIDER=smpp and no SMPP_HOST stops with a message naming the variable', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'ringcast-sms-settings-'));
    try {
      const process = spawnRingcast('serve', { SMS_PROVIDER: 'smpp', SMPP_SYSTEM_ID: 'ringcast', SMPP_PASSWORD: 'pw', DATA_DIR: dataDir, PORT: '0' });
      const { code } = await process.exited;
      expect(code).not.toBe(0);
      expect(process.output()).toMatch(/SMPP_HOST: needed with SMS_PROVIDER=smpp/);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 30_000);

  it('a process with SMS_PROVIDER=kannel and a short KANNEL_DLR_SECRET stops with a message naming the variable', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'ringcast-sms-settings-'));
    try {
      const process = spawnRingcast('serve', { ...KANNEL, KANNEL_DLR_SECRET: 'short', KANNEL_USER: '', DATA_DIR: dataDir, PORT: '0' });
      const { code } = await process.exited;
      expect(code).not.toBe(0);
      expect(process.output()).toMatch(/KANNEL_DLR_SECRET/);
      expect(process.output()).toMatch(/KANNEL_USER: needed with SMS_PROVIDER=kannel/);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 30_000);
});
