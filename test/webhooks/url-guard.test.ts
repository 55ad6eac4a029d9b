import { describe, expect, it } from 'vitest';
import { checkEndpointUrl, isPrivateAddress, resolveDeliveryAddress } from '../../src/webhooks/url-guard.js';

describe('webhook URL guard', () => {
  it('refuses private, loopback, link-local, CGNAT, multicast and unique-local addresses', () => {
    for (const address of ['127.0.0.1', '10.1.2.3', '172.16.0.1', '192.168.1.1', '169.254.169.254', '100.64.0.1', '224.0.0.1', '0.0.0.0', '::1', 'fd00::1', 'fe80::1', 'ff02::1', '::ffff:127.0.0.1', '::ffff:7f00:1', '::']) {
      expect(isPrivateAddress(address), address).toBe(true);
    }
    for (const address of ['93.184.216.34', '8.8.8.8', '2606:4700::1111', '172.32.0.1', '100.128.0.1']) expect(isPrivateAddress(address), address).toBe(false);
  });

  it('accepts https and http URLs with public or named hosts, and explains every refusal', () => {
    expect(checkEndpointUrl('https://hooks.example.com/ringcast', false).ok).toBe(true);
    expect(checkEndpointUrl('http://93.184.216.34:8080/x', false).ok).toBe(true);
    for (const url of ['ftp://example.com/', 'not a url', 'https://user:pw@example.com/', 'http://127.0.0.1/', 'http://[::1]:80/', 'http://localhost:3000/', 'http://10.0.0.5/']) {
      const check = checkEndpointUrl(url, false);
      expect(check.ok, url).toBe(false);
      if (!check.ok) expect(check.message.length).toBeGreaterThan(5);
    }
  });

  it('allows private addresses only with the setting', () => {
    expect(checkEndpointUrl('http://127.0.0.1:9/', true).ok).toBe(true);
  });

  it('refuses at delivery a name that resolves to a private address', async () => {
    const toLoopback = async () => ['127.0.0.1'];
    const mixed = async () => ['93.184.216.34', '10.0.0.1'];
    const url = new URL('https://rebinding.example/');
    expect(await resolveDeliveryAddress(url, false, toLoopback)).toEqual({ ok: false, message: expect.stringContaining('127.0.0.1') });
    expect((await resolveDeliveryAddress(url, false, mixed)).ok).toBe(false);
    expect(await resolveDeliveryAddress(url, true, toLoopback)).toEqual({ ok: true, address: '127.0.0.1' });
    expect(await resolveDeliveryAddress(new URL('https://public.example/'), false, async () => ['93.184.216.34'])).toEqual({ ok: true, address: '93.184.216.34' });
  });
});
