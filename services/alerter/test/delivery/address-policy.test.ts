import { ConfigError } from '@vigie/common';
import { describe, expect, it } from 'vitest';
import { AddressPolicy } from '../../src/delivery/address-policy.js';

const policy = new AddressPolicy([]);

describe('AddressPolicy', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.255.255.254', 'loopback'],
    ['10.0.0.1', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['100.64.0.1', 'carrierGradeNat'],
    ['100.127.255.255', 'carrierGradeNat'],
    ['169.254.169.254', 'linkLocal'],
    ['169.254.0.1', 'linkLocal'],
    ['0.0.0.0', 'unspecified'],
    ['0.1.2.3', 'unspecified'],
    ['224.0.0.1', 'multicast'],
    ['239.255.255.250', 'multicast'],
    ['255.255.255.255', 'broadcast'],
    ['240.0.0.1', 'reserved'],
    ['192.0.2.1', 'reserved'],
    ['198.18.0.1', 'reserved'],
    ['::1', 'loopback'],
    ['::', 'unspecified'],
    ['fc00::1', 'uniqueLocal'],
    ['fd12:3456::1', 'uniqueLocal'],
    ['fe80::1', 'linkLocal'],
    ['fe80::1%eth0', 'linkLocal'],
    ['fec0::1', 'deprecatedSiteLocal'],
    ['ff02::1', 'multicast'],
    ['2001:db8::1', 'reserved'],
    ['2001:0:4136:e378:8000:63bf:3fff:fdd2', 'teredo'],
    ['64:ff9b:1::a00:1', 'rfc6052'],
    ['::ffff:127.0.0.1', 'ipv4Mapped(loopback)'],
    ['::ffff:7f00:1', 'ipv4Mapped(loopback)'],
    ['::ffff:10.1.2.3', 'ipv4Mapped(private)'],
    ['::ffff:169.254.169.254', 'ipv4Mapped(linkLocal)'],
    ['::ffff:0:127.0.0.1', 'rfc6145(loopback)'],
    ['64:ff9b::127.0.0.1', 'rfc6052(loopback)'],
    ['64:ff9b::a9fe:a9fe', 'rfc6052(linkLocal)'],
    ['64:ff9b::192.168.0.1', 'rfc6052(private)'],
    ['2002:7f00:1::1', '6to4(loopback)'],
    ['2002:a9fe:a9fe::1', '6to4(linkLocal)'],
    ['2002:c0a8:101::', '6to4(private)'],
    ['::127.0.0.1', 'unicast(loopback)'],
    ['::10.0.0.1', 'unicast(private)'],
    ['0x7f.1', 'not_an_address'],
    ['localhost', 'not_an_address'],
  ])('refuses %s (%s)', (address, range) => {
    expect(policy.check(address)).toEqual({ allowed: false, range });
  });

  it.each([
    '93.184.215.14',
    '8.8.8.8',
    '1.1.1.1',
    '172.32.0.1',
    '100.128.0.1',
    '2606:4700:4700::1111',
    '2a00:1450:4007:80e::200e',
    '::ffff:8.8.8.8',
    '64:ff9b::8.8.8.8',
    '2002:808:808::1',
  ])('lets the public address %s through', (address) => {
    expect(policy.check(address)).toEqual({ allowed: true });
  });

  it('lets allowed networks through, IPv4-mapped and NAT64 forms of them too, and nothing next to them', () => {
    const local = new AddressPolicy(['127.0.0.1/32', '10.20.0.0/16', 'fd00:1::/32', '192.168.7.7']);
    for (const address of ['127.0.0.1', '::ffff:127.0.0.1', '10.20.255.1', 'fd00:1:2::3', '192.168.7.7']) {
      expect(local.check(address), address).toEqual({ allowed: true });
    }
    for (const address of ['127.0.0.2', '::1', '10.21.0.1', 'fd00:2::1', '192.168.7.8', '169.254.169.254']) {
      expect(local.check(address).allowed, address).toBe(false);
    }
  });

  it('reports every invalid allowed network at once, and refuses non-canonical spellings', () => {
    const make = () =>
      new AddressPolicy(['10.0.0.0/8', '10.0.0.0/33', 'intranet', '0x7f.1/32', '127.1', '::1/129']);
    expect(make).toThrow(ConfigError);
    expect(make).toThrow(/"10\.0\.0\.0\/33", "intranet", "0x7f\.1\/32", "127\.1", "::1\/129"/);
  });
});
