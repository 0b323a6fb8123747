/** The proxy's flags and addresses: parsing, CIDRs, node port addresses, errors naming the flag. */
import test from 'ava';
import { cidrContains, nodePortAddresses, parseCidr, parseIPv4 } from '../../../src/worker/proxy/addresses.js';
import { FlagError, parseProxyFlags, type RawProxyFlags } from '../../../src/worker/proxy/flags.js';

const raw = (o: Partial<RawProxyFlags> = {}): RawProxyFlags => ({ kubeconfig: '/k', nodeIp: '127.0.0.1', port: '10256', v: '0', ...o });

test('parseProxyFlags() fills defaults: host name as node name, no extra node port addresses', (t) => {
  t.deepEqual(parseProxyFlags(raw(), 'host-1'), {
    kubeconfig: '/k',
    nodeName: 'host-1',
    nodeIP: '127.0.0.1',
    nodePortAddresses: [],
    clusterIPInterface: undefined,
    port: 10256,
    verbosity: 0,
  });
});

test('parseProxyFlags() takes every flag', (t) => {
  const f = parseProxyFlags(raw({ nodeName: 'w1', nodeIp: '127.0.0.2', nodePortAddresses: '127.0.0.2, 192.0.2.0/24', clusterIpInterface: 'kube-ipvs0', port: '0', v: '4' }), 'h');
  t.deepEqual(f, { kubeconfig: '/k', nodeName: 'w1', nodeIP: '127.0.0.2', nodePortAddresses: ['127.0.0.2', '192.0.2.0/24'], clusterIPInterface: 'kube-ipvs0', port: 0, verbosity: 4 });
});

const bad: { name: string; o: Partial<RawProxyFlags>; flag: string; message: RegExp }[] = [
  { name: 'missing kubeconfig', o: { kubeconfig: undefined }, flag: '--kubeconfig', message: /required/ },
  { name: 'empty node name', o: { nodeName: '' }, flag: '--node-name', message: /empty/ },
  { name: 'node IP not IPv4', o: { nodeIp: 'localhost' }, flag: '--node-ip', message: /"localhost" is not an IPv4 address/ },
  { name: 'node IP out of range', o: { nodeIp: '127.0.0.256' }, flag: '--node-ip', message: /not an IPv4/ },
  { name: 'bad node port address', o: { nodePortAddresses: '127.0.0.2,10.0.0.0/33' }, flag: '--node-port-addresses', message: /"10.0.0.0\/33" is neither/ },
  { name: 'interface name too long', o: { clusterIpInterface: 'a-very-long-interface' }, flag: '--cluster-ip-interface', message: /not a valid interface name/ },
  { name: 'interface name with a slash', o: { clusterIpInterface: 'a/b' }, flag: '--cluster-ip-interface', message: /not a valid/ },
  { name: 'port not a number', o: { port: 'http' }, flag: '--port', message: /"http" is not a port number/ },
  { name: 'port too high', o: { port: '65536' }, flag: '--port', message: /not a port/ },
  { name: 'verbosity not a number', o: { v: 'debug' }, flag: '-v', message: /not a log level/ },
];
for (const c of bad) {
  test(`parseProxyFlags() rejects ${c.name}, naming the flag`, (t) => {
    const err = t.throws(() => parseProxyFlags(raw(c.o), 'h'), { instanceOf: FlagError, message: c.message });
    t.is(err?.flag, c.flag);
    t.true(err!.message.startsWith(`${c.flag}: `));
  });
}

test('parseIPv4() and parseCidr() accept dotted quads only', (t) => {
  t.is(parseIPv4('127.0.0.1'), 0x7f000001);
  t.is(parseIPv4('255.255.255.255'), 0xffffffff);
  for (const s of ['1.2.3', '1.2.3.4.5', '256.0.0.1', '01a.0.0.1', '', '::1']) t.is(parseIPv4(s), undefined, s);
  t.deepEqual(parseCidr('10.1.2.3/8'), { base: 0x0a000000, bits: 8 });
  t.deepEqual(parseCidr('0.0.0.0/0'), { base: 0, bits: 0 });
  for (const s of ['10.0.0.0', '10.0.0.0/33', '10.0.0.0/8/1', 'x/8', '10.0.0.0/']) t.is(parseCidr(s), undefined, s);
  t.true(cidrContains(parseCidr('127.0.0.0/8')!, '127.96.1.2'));
  t.false(cidrContains(parseCidr('127.0.0.0/8')!, '128.0.0.1'));
  t.true(cidrContains(parseCidr('192.0.2.7/32')!, '192.0.2.7'));
});

const npCases = [
  { name: 'default: the node IP', entries: [], want: ['127.0.0.2'] },
  { name: 'addresses as given', entries: ['127.0.0.2', '127.0.0.3'], want: ['127.0.0.2', '127.0.0.3'] },
  { name: 'a CIDR selects node and host addresses inside it', entries: ['192.0.2.0/24'], want: ['192.0.2.2'] },
  { name: 'a CIDR that holds the node IP', entries: ['127.0.0.0/8'], want: ['127.0.0.2', '127.0.0.1'] },
  { name: 'duplicates collapse', entries: ['127.0.0.2', '127.0.0.0/30'], want: ['127.0.0.2', '127.0.0.1'] },
  { name: 'a CIDR with nothing of ours in it: no node ports', entries: ['10.0.0.0/8'], want: [] },
];
for (const c of npCases) {
  test(`nodePortAddresses(): ${c.name}`, (t) => {
    t.deepEqual(nodePortAddresses(c.entries, '127.0.0.2', ['127.0.0.1', '192.0.2.2', '172.17.0.1']), c.want);
  });
}
