/** Pod IP allocation of the docker runtime: next-fit over the node's range, kept in a file, rebuilt from Docker's view. */
import test from 'ava';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PodIpAllocator, cidrContains, cidrsOverlap } from '../../../src/worker/kubelet/runtimes/docker/ipam.js';
import { tempDir } from '../../helpers/tmp.js';

test('allocate() skips network, gateway and broadcast, and goes round next-fit', async (t) => {
  const ips = new PodIpAllocator(join(tempDir(t), 'ips.json'));
  await ips.setRange('10.244.1.0/29');
  const got = [];
  for (let i = 0; i < 5; i++) got.push(await ips.allocate(`p${i}`));
  t.deepEqual(got, ['10.244.1.2', '10.244.1.3', '10.244.1.4', '10.244.1.5', '10.244.1.6']);
  await t.throwsAsync(ips.allocate('p5'), { message: /no free address left in 10.244.1.0\/29/ });
  await ips.release('10.244.1.3');
  await ips.release('10.244.1.5');
  t.is(await ips.allocate('p6'), '10.244.1.3');
  t.is(await ips.allocate('p7'), '10.244.1.5');
});

test('a just-released address is not handed out again at once', async (t) => {
  const ips = new PodIpAllocator(join(tempDir(t), 'ips.json'));
  await ips.setRange('10.244.1.0/24');
  const a = await ips.allocate('a');
  await ips.release(a);
  t.not(await ips.allocate('b'), a);
});

test('state survives a new allocator on the same file, cursor included', async (t) => {
  const file = join(tempDir(t), 'sub', 'ips.json');
  const first = new PodIpAllocator(file);
  await first.setRange('10.244.2.0/24');
  t.is(await first.allocate('a'), '10.244.2.2');
  t.is(await first.allocate('b'), '10.244.2.3');
  await first.release('10.244.2.3');
  const second = new PodIpAllocator(file);
  t.is(second.range, undefined, 'nothing read before use');
  t.is(await second.allocate('c'), '10.244.2.4', 'continues after the last one handed out');
  t.deepEqual([...second.inUse()], [
    ['10.244.2.2', 'a'],
    ['10.244.2.4', 'c'],
  ]);
  t.is(second.range, '10.244.2.0/24');
  t.deepEqual(JSON.parse(readFileSync(file, 'utf8')).allocated, { '10.244.2.2': 'a', '10.244.2.4': 'c' });
});

test('reconcile() makes Docker the truth: live addresses are kept out, dead ones come back', async (t) => {
  const ips = new PodIpAllocator(join(tempDir(t), 'ips.json'));
  await ips.setRange('10.244.3.0/29');
  await ips.allocate('gone');
  await ips.reconcile(new Map([['10.244.3.3', 'alive']]));
  t.deepEqual([...ips.inUse().keys()], ['10.244.3.3']);
  const got = [];
  for (let i = 0; i < 4; i++) got.push(await ips.allocate(`n${i}`));
  t.false(got.includes('10.244.3.3'));
  t.true(got.includes('10.244.3.2'), "the dead pod's address is free again");
});

test('releaseOwner() frees what a sandbox held; markTaken() keeps an address out', async (t) => {
  const ips = new PodIpAllocator(join(tempDir(t), 'ips.json'));
  await ips.setRange('10.244.4.0/29');
  await ips.markTaken('10.244.4.2', 'docker');
  const a = await ips.allocate('k8s_POD_a');
  t.is(a, '10.244.4.3');
  await ips.releaseOwner('k8s_POD_a');
  t.deepEqual([...ips.inUse()], [['10.244.4.2', 'docker']]);
});

test('concurrent allocations get distinct addresses, also on first use of a file', async (t) => {
  const file = join(tempDir(t), 'ips.json');
  writeFileSync(file, JSON.stringify({ cidr: '10.244.5.0/24', next: '10.244.5.10', allocated: { '10.244.5.10': 'old' } }));
  const ips = new PodIpAllocator(file);
  const got = await Promise.all(Array.from({ length: 20 }, (_, i) => ips.allocate(`p${i}`)));
  t.is(new Set(got).size, 20);
  t.false(got.includes('10.244.5.10'));
});

test('a torn state file is ignored; without a range allocation says why', async (t) => {
  const file = join(tempDir(t), 'ips.json');
  writeFileSync(file, '{"cidr": "10.2');
  const ips = new PodIpAllocator(file);
  await t.throwsAsync(ips.allocate('a'), { message: /no pod CIDR yet/ });
  await ips.setRange('10.244.6.0/24');
  t.is(await ips.allocate('a'), '10.244.6.2');
});

test('cidrContains() and cidrsOverlap()', (t) => {
  t.true(cidrContains('10.244.0.0/16', '10.244.7.0/24'));
  t.false(cidrContains('10.244.0.0/16', '10.245.0.0/24'));
  t.false(cidrContains('10.244.0.0/16', '10.0.0.0/8'));
  t.true(cidrsOverlap('10.0.0.0/8', '10.244.1.0/24'));
  t.false(cidrsOverlap('10.244.0.0/16', '10.245.0.0/16'));
});
