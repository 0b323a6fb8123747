/**
 * ClusterIPInterface against a scripted Exec: the `ip` commands it issues and how it reads their
 * answers (the same code runs for real in a network namespace in test/integration/proxy/netns).
 */
import test from 'ava';
import { ExecError, type Exec } from '../../../src/worker/proxy/exec.js';
import { ClusterIPInterface, parseAddrShow } from '../../../src/worker/proxy/iface.js';
import { describeListenError } from '../../../src/worker/proxy/listeners.js';

/** An Exec that records commands and answers from a script keyed by the joined command. */
function scripted(answers: Record<string, string | { stderr: string }>) {
  const calls: string[] = [];
  const exec: Exec = async (cmd, args) => {
    const line = [cmd, ...args].join(' ');
    calls.push(line);
    const a = answers[line];
    if (a !== undefined && typeof a !== 'string') throw new ExecError(line, 2, '', a.stderr);
    return { stdout: a ?? '', stderr: '' };
  };
  return { exec, calls };
}

const SHOW = `7: kl0    inet 10.96.0.10/32 scope global kl0\\       valid_lft forever preferred_lft forever
7: kl0    inet 10.96.0.11/32 scope global kl0\\       valid_lft forever preferred_lft forever
`;

test('parseAddrShow() reads the IPv4 addresses of `ip -o -4 addr show`', (t) => {
  t.deepEqual(parseAddrShow(SHOW), ['10.96.0.10', '10.96.0.11']);
  t.deepEqual(parseAddrShow(''), []);
});

test('ensure() creates a dummy interface, brings it up and reads its addresses', async (t) => {
  const { exec, calls } = scripted({ 'ip -o -4 addr show dev kl0': SHOW });
  const i = new ClusterIPInterface({ name: 'kl0', exec });
  await i.ensure();
  t.is(i.type, 'dummy');
  t.deepEqual(calls, ['ip link add kl0 type dummy', 'ip link set kl0 up', 'ip -o -4 addr show dev kl0']);
  t.deepEqual(i.plan(['10.96.0.11', '10.96.0.12']), { add: ['10.96.0.12'], remove: ['10.96.0.10'] });
});

test('ensure() falls back to a bridge when the kernel has no dummy driver', async (t) => {
  const { exec, calls } = scripted({ 'ip link add kl0 type dummy': { stderr: 'Error: Unknown device type.' } });
  const i = new ClusterIPInterface({ name: 'kl0', exec });
  await i.ensure();
  t.is(i.type, 'bridge');
  t.deepEqual(calls.slice(0, 3), ['ip link add kl0 type dummy', 'ip link add kl0 type bridge', 'ip link set kl0 up']);
});

test('ensure() reuses an interface that exists already', async (t) => {
  const { exec } = scripted({ 'ip link add kl0 type dummy': { stderr: 'RTNETLINK answers: File exists' }, 'ip -o -4 addr show dev kl0': SHOW });
  const i = new ClusterIPInterface({ name: 'kl0', exec });
  await i.ensure();
  t.is(i.type, 'existing');
  t.deepEqual(i.plan([]), { add: [], remove: ['10.96.0.10', '10.96.0.11'] });
});

test('ensure() explains a failure to create the interface', async (t) => {
  const { exec } = scripted({ 'ip link add kl0 type dummy': { stderr: 'RTNETLINK answers: Operation not permitted' } });
  const i = new ClusterIPInterface({ name: 'kl0', exec });
  await t.throwsAsync(i.ensure(), { message: /Cannot create the cluster IP interface "kl0" \(it needs root\).*Operation not permitted/ });
});

test('add() and remove() issue one /32 each and tolerate what is already so; delete() removes the link', async (t) => {
  const { exec, calls } = scripted({
    'ip addr add 10.96.0.10/32 dev kl0': { stderr: 'RTNETLINK answers: File exists' },
    'ip addr del 10.96.0.12/32 dev kl0': { stderr: 'RTNETLINK answers: Cannot assign requested address' },
  });
  const i = new ClusterIPInterface({ name: 'kl0', exec });
  await i.add(['10.96.0.10', '10.96.0.11']);
  t.deepEqual(i.plan(['10.96.0.11']), { add: [], remove: ['10.96.0.10'] });
  await i.remove(['10.96.0.10', '10.96.0.12']);
  await i.delete();
  t.deepEqual(calls, [
    'ip addr add 10.96.0.10/32 dev kl0',
    'ip addr add 10.96.0.11/32 dev kl0',
    'ip addr del 10.96.0.10/32 dev kl0',
    'ip addr del 10.96.0.12/32 dev kl0',
    'ip link del kl0',
  ]);
});

test('add() passes on other failures', async (t) => {
  const { exec } = scripted({ 'ip addr add 10.96.0.10/32 dev kl0': { stderr: 'Cannot find device "kl0"' } });
  const i = new ClusterIPInterface({ name: 'kl0', exec });
  const err = await t.throwsAsync(i.add(['10.96.0.10']), { instanceOf: ExecError });
  t.regex(err!.message, /command "ip addr add 10.96.0.10\/32 dev kl0" failed with exit code 2: Cannot find device/);
});

const spec = { key: '127.96.0.10:80', ip: '127.96.0.10', port: 80, kind: 'ClusterIP' as const, target: 'default/web:http', scope: 'cluster' as const, service: 'default/web', portName: 'http' };
test('describeListenError() names the service, the port and the fix', (t) => {
  t.is(
    describeListenError(spec, 'EACCES', 'listen EACCES'),
    'Cannot listen on 127.96.0.10:80 (ClusterIP) for service "default/web" port "http": permission denied, ports below 1024 need privileges; run the proxy as root, or let every user listen from this port on (as root: sysctl -w net.ipv4.ip_unprivileged_port_start=80); the proxy retries on its own',
  );
  t.regex(describeListenError(spec, 'EADDRNOTAVAIL', 'x'), /127\.96\.0\.10 is not an address of this host; use a loopback service CIDR .* or --cluster-ip-interface/);
  t.is(describeListenError({ ...spec, portName: '' }, 'EMFILE', 'too many open files'), 'Cannot listen on 127.96.0.10:80 (ClusterIP) for service "default/web": too many open files');
});
