import { describe, expect, it } from 'vitest';
import { parseTrunksJson, trunksFromSettings, TrunkConfigError } from '../../../../src/telephony/sip/carrier/trunk-config.js';
import { loadSettings, SettingsError } from '../../../../src/config/settings.js';

describe('SIP trunk settings', () => {
  it('builds one trunk from SIP_TRUNK_* with defaults', () => {
    const [trunk, ...rest] = trunksFromSettings({ SIP_TRUNK_HOST: 'sip.example.net', SIP_TRUNK_USERNAME: 'acme', SIP_TRUNK_PASSWORD: 'pw' });
    expect(rest).toEqual([]);
    expect(trunk).toEqual({
      name: 'trunk',
      host: 'sip.example.net',
      transport: 'udp',
      username: 'acme',
      password: 'pw',
      numberFormat: 'e164',
      maxCalls: 30,
      maxCps: 5,
      register: false,
      registerExpiresS: 600,
    });
  });

  it('registers when asked: SIP_TRUNK_REGISTER, or register and registerExpiresS in SIP_TRUNKS_JSON', () => {
    const [single] = trunksFromSettings({ SIP_TRUNK_HOST: 'sip.example.net', SIP_TRUNK_USERNAME: 'acme', SIP_TRUNK_PASSWORD: 'pw', SIP_TRUNK_REGISTER: true });
    expect(single).toMatchObject({ register: true, registerExpiresS: 600 });
    const [a, b] = parseTrunksJson(
      JSON.stringify([
        { name: 'a', host: 'h', username: 'u', register: true, registerExpiresS: 3600 },
        { name: 'b', host: 'h' },
      ]),
    );
    expect(a).toMatchObject({ register: true, registerExpiresS: 3600 });
    expect(b).toMatchObject({ register: false, registerExpiresS: 600 });
    const settings = loadSettings({ CARRIER: 'sip', SIP_TRUNK_HOST: 'h', SIP_TRUNK_USERNAME: 'u', SIP_TRUNK_REGISTER: 'true' });
    expect(settings.SIP_TRUNK_REGISTER).toBe(true);
    expect(trunksFromSettings(settings)[0]?.register).toBe(true);
  });

  it('refuses to register without a user name, and a registration lifetime out of 60-86400 s', () => {
    expect(() => trunksFromSettings({ SIP_TRUNK_HOST: 'h', SIP_TRUNK_REGISTER: true })).toThrow(/SIP_TRUNK\.register: registering needs a username/);
    expect(() => parseTrunksJson('[{"name":"a","host":"h","register":true}]')).toThrow(/\[0\]\.register: registering needs a username/);
    expect(() => parseTrunksJson('[{"name":"a","host":"h","username":"u","register":true,"registerExpiresS":59}]')).toThrow(/\[0\]\.registerExpiresS/);
    expect(() => parseTrunksJson('[{"name":"a","host":"h","username":"u","registerExpiresS":86401}]')).toThrow(/\[0\]\.registerExpiresS/);
    expect(() => parseTrunksJson('[{"name":"a","host":"h","register":"yes"}]')).toThrow(/\[0\]\.register/);
    expect(() => loadSettings({ CARRIER: 'sip', SIP_TRUNK_HOST: 'h', SIP_TRUNK_REGISTER: 'true' })).toThrow(/SIP trunks:.*registering needs a username/);
  });

  it('reads several trunks from SIP_TRUNKS_JSON', () => {
    const trunks = parseTrunksJson(
      JSON.stringify([
        { name: 'a', host: '192.0.2.10', port: 5060, maxCalls: 10, maxCps: 2 },
        { name: 'b', host: 'trunk.example.org', transport: 'tcp', numberFormat: 'digits', fromDomain: 'acme.example' },
      ]),
    );
    expect(trunks.map((t) => [t.name, t.transport, t.maxCalls, t.numberFormat])).toEqual([
      ['a', 'udp', 10, 'e164'],
      ['b', 'tcp', 30, 'digits'],
    ]);
  });

  it.each([
    ['not json', '{', /not valid JSON/],
    ['empty array', '[]', /non-empty JSON array/],
    ['unknown field', '[{"name":"a","host":"h","colour":"red"}]', /\[0\]/],
    ['bad transport', '[{"name":"a","host":"h","transport":"tls"}]', /\[0\]\.transport/],
    ['bad port', '[{"name":"a","host":"h","port":70000}]', /\[0\]\.port/],
    ['duplicate names', '[{"name":"a","host":"h"},{"name":"a","host":"i"}]', /used twice/],
    ['host with a space', '[{"name":"a","host":"bad host"}]', /\[0\]\.host/],
  ])('refuses %s', (_label, json, message) => {
    expect(() => parseTrunksJson(json)).toThrowError(message);
  });

  it('refuses a password without a user name, and mixing the two ways of configuring', () => {
    expect(() => trunksFromSettings({ SIP_TRUNK_HOST: 'h', SIP_TRUNK_PASSWORD: 'x' })).toThrow(TrunkConfigError);
    expect(() => trunksFromSettings({ SIP_TRUNK_HOST: 'h', SIP_TRUNKS_JSON: '[{"name":"a","host":"h"}]' })).toThrow(/not both/);
    expect(() => trunksFromSettings({})).toThrow(/SIP_TRUNK_HOST/);
  });

  it('stops the process at start when CARRIER=sip has no usable trunk', () => {
    expect(() => loadSettings({ CARRIER: 'sip' })).toThrow(SettingsError);
    expect(() => loadSettings({ CARRIER: 'sip', SIP_TRUNKS_JSON: '[{"host":"x"}]' })).toThrow(/SIP trunks:.*name/);
    expect(loadSettings({ CARRIER: 'sip', SIP_TRUNK_HOST: '127.0.0.1', SIP_TRUNK_PORT: '5070' }).SIP_TRUNK_PORT).toBe(5070);
  });

  it('refuses a SIP_ADDRESS the trunk could not send to', () => {
    const sip = { CARRIER: 'sip', SIP_TRUNK_HOST: '192.0.2.10' };
    expect(() => loadSettings({ ...sip, SIP_ADDRESS: '0.0.0.0' })).toThrow(/SIP_ADDRESS="0.0.0.0": must be this host's IP address/);
    expect(() => loadSettings({ ...sip, SIP_ADDRESS: 'dialer.example.com' })).toThrow(/SIP_ADDRESS/);
    expect(loadSettings({ ...sip, SIP_ADDRESS: '203.0.113.10' }).SIP_ADDRESS).toBe('203.0.113.10');
  });

  it('checks AMD_JSON and the RTP port range', () => {
    expect(() => loadSettings({ AMD_JSON: '{"initialSilenceMs":-1}' })).toThrow(/AMD_JSON: initialSilenceMs/);
    expect(() => loadSettings({ AMD_JSON: '{"silence":1}' })).toThrow(/unknown key "silence"/);
    expect(() => loadSettings({ RTP_PORT_MIN: '20000', RTP_PORT_MAX: '20000' })).toThrow(/RTP_PORT_MIN/);
    expect(loadSettings({ AMD_JSON: '{"greetingMs":2000}' }).AMD_JSON).toBe('{"greetingMs":2000}');
  });
});
