import test from 'ava';
import { blockCidr, blockIndex, cidrRange, nextFreeBlock } from '../../../src/control/controllers/nodeipam/sync.js';

test('nodeipam: a /16 cluster CIDR gives 256 /24 node blocks, first one skipped', (t) => {
  const r = cidrRange('10.244.0.0/16', 24);
  t.is(r.blocks, 256);
  t.is(blockCidr(r, nextFreeBlock(r, new Set())!), '10.244.1.0/24');
  t.is(blockCidr(r, nextFreeBlock(r, new Set([1, 2]))!), '10.244.3.0/24');
});

test('nodeipam: blockIndex recognises only blocks of the range', (t) => {
  const r = cidrRange('127.244.0.0/16', 24);
  t.is(blockIndex(r, '127.244.7.0/24'), 7);
  t.is(blockIndex(r, '127.245.7.0/24'), undefined);
  t.is(blockIndex(r, '127.244.7.0/25'), undefined);
  t.is(blockIndex(r, '127.244.7.1/24'), undefined);
});

test('nodeipam: a full range has no free block; block 0 is the last resort', (t) => {
  const r = cidrRange('10.0.0.0/30', 30);
  t.is(r.blocks, 1);
  t.is(nextFreeBlock(r, new Set()), 0);
  t.is(nextFreeBlock(r, new Set([0])), undefined);
  const r2 = cidrRange('10.0.0.0/23', 24);
  t.is(nextFreeBlock(r2, new Set([1])), 0);
  t.is(nextFreeBlock(r2, new Set([0, 1])), undefined);
});

test('nodeipam: a mask shorter than the cluster prefix is refused', (t) => {
  t.throws(() => cidrRange('10.244.0.0/16', 8), { instanceOf: RangeError, message: /between the cluster CIDR's prefix \(16\) and 30/ });
});
