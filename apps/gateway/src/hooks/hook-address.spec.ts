import { checkHookUrl, isPublicAddress, RefusedAddressError } from './hook-address';

describe('hook addresses (SSRF rule)', () => {
  it.each(['127.0.0.1', '10.1.2.3', '172.20.0.1', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '::1', '::', 'fe80::1', 'fd00::1', '::ffff:127.0.0.1', '::ffff:10.0.0.1'])(
    '%s is not public',
    (a) => expect(isPublicAddress(a)).toBe(false),
  );

  it.each(['93.184.216.34', '8.8.8.8', '2606:4700:4700::1111', '::ffff:8.8.8.8'])('%s is public', (a) => expect(isPublicAddress(a)).toBe(true));

  it('refuses loopback and private URLs unless allowed', async () => {
    await expect(checkHookUrl('http://127.0.0.1:9/x', false)).rejects.toBeInstanceOf(RefusedAddressError);
    await expect(checkHookUrl('http://[::1]:9/x', false)).rejects.toBeInstanceOf(RefusedAddressError);
    await expect(checkHookUrl('http://localhost:9/x', false)).rejects.toBeInstanceOf(RefusedAddressError);
    await expect(checkHookUrl('http://169.254.169.254/latest/meta-data', false)).rejects.toBeInstanceOf(RefusedAddressError);
    await expect(checkHookUrl('http://127.0.0.1:9/x', true)).resolves.toBeUndefined();
    await expect(checkHookUrl('https://93.184.216.34/hook', false)).resolves.toBeUndefined();
  });
});
