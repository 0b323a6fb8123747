/**
 * The cluster IP interface for real, in a network namespace this test creates (root only): the
 * interface code runs `ip` through `ip netns exec`, so the host's own interfaces are never
 * touched. The namespace is deleted in teardown, which also removes anything left inside it.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import test, { type ExecutionContext } from 'ava';
import { hostExec, netnsExec } from '../../../src/worker/proxy/exec.js';
import { ClusterIPInterface, parseAddrShow } from '../../../src/worker/proxy/iface.js';
import { startProxy, type ListenFn } from '../../../src/worker/proxy/index.js';
import { eventually } from '../../helpers/eventually.js';
import { createService, isRoot, startLab } from './lab.js';

const maybe = isRoot ? test : test.skip;
const why = isRoot ? '' : ' (skipped: needs root to create a network namespace)';

/** A fresh network namespace with lo up; deleted in teardown. */
async function netns(t: ExecutionContext): Promise<string> {
  const ns = `kl-proxy-${process.pid}-${randomBytes(3).toString('hex')}`;
  await hostExec('ip', ['netns', 'add', ns]);
  t.teardown(() => hostExec('ip', ['netns', 'del', ns]).then(() => undefined));
  await hostExec('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
  return ns;
}

/** The IPv4 addresses of dev in ns, or undefined when dev does not exist there. */
async function addressesIn(ns: string, dev: string): Promise<string[] | undefined> {
  try {
    return parseAddrShow((await hostExec('ip', ['-n', ns, '-o', '-4', 'addr', 'show', 'dev', dev])).stdout).sort();
  } catch {
    return undefined;
  }
}

/** Runs a Node.js script inside ns and resolves with its stdout. */
function nodeIn(ns: string, script: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('ip', ['netns', 'exec', ns, process.execPath, '-e', script], { timeout: 10_000 }, (err, stdout, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout)));
  });
}

maybe(`ClusterIPInterface creates the interface, binds and unbinds cluster IPs that can be listened on, and deletes it${why}`, async (t) => {
  const ns = await netns(t);
  const iface = new ClusterIPInterface({ name: 'kube-ipvs0', exec: netnsExec(ns) });
  await iface.ensure();
  t.true(iface.type === 'dummy' || iface.type === 'bridge', `type ${iface.type}`);
  t.deepEqual(await addressesIn(ns, 'kube-ipvs0'), []);

  await iface.add(['10.96.0.10', '10.96.0.11']);
  t.deepEqual(await addressesIn(ns, 'kube-ipvs0'), ['10.96.0.10', '10.96.0.11']);

  // A cluster IP on the interface is a local address: it can be listened on and reached.
  const out = await nodeIn(
    ns,
    `const net = require('net');
     const s = net.createServer((c) => c.end('ok')).listen(80, '10.96.0.11', () => {
       net.connect(80, '10.96.0.11').on('data', (d) => { process.stdout.write(String(d)); process.exit(0); });
     });`,
  );
  t.is(out, 'ok');

  const plan = iface.plan(['10.96.0.11']);
  t.deepEqual(plan, { add: [], remove: ['10.96.0.10'] });
  await iface.remove(plan.remove);
  t.deepEqual(await addressesIn(ns, 'kube-ipvs0'), ['10.96.0.11']);

  // A second ensure() (a restarted proxy) reuses the interface and sees what is on it.
  const again = new ClusterIPInterface({ name: 'kube-ipvs0', exec: netnsExec(ns) });
  await again.ensure();
  t.is(again.type, 'existing');
  t.deepEqual(again.plan([]), { add: [], remove: ['10.96.0.11'] });

  await again.delete();
  t.is(await addressesIn(ns, 'kube-ipvs0'), undefined);
});

maybe(`the proxy keeps the interface in step with Services and deletes it on close${why}`, async (t) => {
  const ns = await netns(t);
  // The proxy runs on the host and its interface in the namespace, so the cluster IPs are not
  // local to the proxy: listening is not what this test is about, and is skipped.
  const noListen: ListenFn = async () => {};
  const lab = await startLab(t, 35);
  const proxy = await startProxy({ client: lab.client, nodeName: 'n1', nodeIP: '127.0.0.35', healthPort: 0, clusterIPInterface: 'kl-svc0', exec: netnsExec(ns), listen: noListen, retryIntervalMs: 50 });
  let closed = false;
  t.teardown(() => (closed ? undefined : proxy.close()));
  await proxy.waitUntilSynced(AbortSignal.timeout(10_000));
  t.deepEqual(await addressesIn(ns, 'kl-svc0'), []);

  const a = await createService(lab, 'a', { ports: [{ name: 'http', port: 80 }, { name: 'https', port: 443 }] });
  const b = await createService(lab, 'b', { ports: [{ port: 80 }] });
  await proxy.waitForRevision('Service', b.metadata.resourceVersion!, AbortSignal.timeout(5000));
  t.deepEqual(await addressesIn(ns, 'kl-svc0'), [a.spec.clusterIP!, b.spec.clusterIP!].sort());

  await lab.client.resource('Service').delete('default', 'a');
  await eventually(async () => (await addressesIn(ns, 'kl-svc0'))?.join() === b.spec.clusterIP, { message: 'the cluster IP of "a" was removed' });

  closed = true;
  await proxy.close();
  t.is(await addressesIn(ns, 'kl-svc0'), undefined, 'the interface is gone');
});
