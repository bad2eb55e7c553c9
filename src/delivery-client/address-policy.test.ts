import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createAddressPolicy, parseCidrList } from './address-policy.ts';

const BLOCKED = [
  '0.0.0.0',
  '0.255.255.255',
  '10.0.0.1',
  '10.255.255.255',
  '100.64.0.1',
  '100.127.255.254',
  '127.0.0.1',
  '127.255.255.254',
  '169.254.169.254',
  '172.16.0.1',
  '172.31.255.255',
  '192.0.0.8',
  '192.0.2.1',
  '192.88.99.1',
  '192.168.1.1',
  '198.18.0.1',
  '198.19.255.255',
  '198.51.100.7',
  '203.0.113.9',
  '224.0.0.1',
  '239.255.255.250',
  '240.0.0.1',
  '255.255.255.255',
  '::',
  '::1',
  '[::1]',
  '::ffff:127.0.0.1',
  '::ffff:7f00:1',
  '::ffff:a9fe:a9fe',
  '::ffff:10.1.2.3',
  '0:0:0:0:0:ffff:c0a8:0101',
  '64:ff9b::127.0.0.1',
  '64:ff9b::a9fe:a9fe',
  '::7f00:1',
  '100::1',
  '2001::1',
  '2001:1ff:ffff::1',
  '2001:db8::1',
  'fc00::1',
  'fd12:3456::1',
  'fe80::1',
  'fe80::1%eth0',
  'febf::1',
  'ff02::1',
  'localhost',
  '2130706433',
  'not an ip',
  '',
];

const ALLOWED = [
  '1.1.1.1',
  '8.8.8.8',
  '9.255.255.255',
  '11.0.0.1',
  '100.63.255.255',
  '100.128.0.1',
  '172.15.255.255',
  '172.32.0.1',
  '192.0.3.1',
  '192.169.0.1',
  '198.17.255.255',
  '198.20.0.1',
  '223.255.255.255',
  '2606:4700::1111',
  '2a00:1450:4001::200e',
  '2001:200::1',
  '::ffff:1.1.1.1',
  '::ffff:808:808',
  '64:ff9b::1.1.1.1',
  '64:ff9b::808:808',
];

describe('default address policy', () => {
  const policy = createAddressPolicy([]);
  for (const ip of BLOCKED) {
    test(`blocks ${JSON.stringify(ip)}`, () => assert.equal(policy.isAllowed(ip), false));
  }
  for (const ip of ALLOWED) {
    test(`allows ${ip}`, () => assert.equal(policy.isAllowed(ip), true));
  }
});

describe('allowNetworks', () => {
  test('127.0.0.0/8 opens loopback in every IPv4 form, nothing else', () => {
    const policy = createAddressPolicy(['127.0.0.0/8']);
    for (const ip of ['127.0.0.1', '127.1.2.3', '::ffff:127.0.0.1', '::ffff:7f00:1']) {
      assert.equal(policy.isAllowed(ip), true, ip);
    }
    for (const ip of ['::1', '10.0.0.1', '169.254.169.254', '::ffff:10.0.0.1']) {
      assert.equal(policy.isAllowed(ip), false, ip);
    }
  });

  test('IPv6 networks open IPv6 ranges', () => {
    const policy = createAddressPolicy(['::1/128', 'fd00::/8']);
    assert.equal(policy.isAllowed('::1'), true);
    assert.equal(policy.isAllowed('fd12::1'), true);
    assert.equal(policy.isAllowed('fc00::1'), false);
    assert.equal(policy.isAllowed('127.0.0.1'), false);
  });

  test('invalid networks are refused', () => {
    assert.throws(() => createAddressPolicy(['127.0.0.1']), /invalid network "127.0.0.1"/);
  });
});

describe('parseCidrList', () => {
  test('parses comma-separated CIDRs', () => {
    assert.deepEqual(parseCidrList(''), []);
    assert.deepEqual(parseCidrList(' 127.0.0.0/8 , ::1/128,10.0.0.0/8 '), [
      '127.0.0.0/8',
      '::1/128',
      '10.0.0.0/8',
    ]);
  });

  test('throws a clear error on bad entries', () => {
    for (const bad of [
      '127.0.0.1',
      '127.0.0.0/33',
      '::1/129',
      'localhost/8',
      '10.0.0.0/-1',
      '10.0.0.0/8/8',
    ]) {
      assert.throws(() => parseCidrList(`10.0.0.0/8,${bad}`), /invalid network/, bad);
    }
  });
});
