/** Listener reconciliation: desired listeners from routes, and the plan from current to desired. */
import test from 'ava';
import { clusterIPsOf, desiredListeners, planAddresses, planListeners, type ListenerSpec } from '../../../src/worker/proxy/plan.js';
import type { ServicePortEntry } from '../../../src/worker/proxy/table.js';

const entry = (id: string, o: Partial<ServicePortEntry> = {}): ServicePortEntry => {
  const [service, portName = ''] = id.split(':');
  return { id, service: service!, portName, clusterIP: '127.96.0.10', port: 80, nodePort: undefined, clusterEndpoints: [], externalEndpoints: [], affinity: { clientIP: false, timeoutSeconds: 10_800 }, ...o };
};

/** Listeners as "key kind target scope", the way the cases read. */
const show = (m: Map<string, ListenerSpec>) => [...m.values()].map((l) => `${l.key} ${l.kind} ${l.target} ${l.scope}`);

const desiredCases: { name: string; entries: ServicePortEntry[]; addrs: string[]; want: string[] }[] = [
  { name: 'nothing to serve: no listeners', entries: [], addrs: ['127.0.0.2'], want: [] },
  {
    name: 'a ClusterIP Service listens on its cluster IP only',
    entries: [entry('default/web')],
    addrs: ['127.0.0.2'],
    want: ['127.96.0.10:80 ClusterIP default/web cluster'],
  },
  {
    name: 'each port of a Service gets its own listener',
    entries: [entry('default/web:http'), entry('default/web:metrics', { port: 9090 })],
    addrs: [],
    want: ['127.96.0.10:80 ClusterIP default/web:http cluster', '127.96.0.10:9090 ClusterIP default/web:metrics cluster'],
  },
  {
    name: 'a node port listens on every node port address, besides the cluster IP',
    entries: [entry('default/web', { nodePort: 30080 })],
    addrs: ['127.0.0.2', '192.0.2.2'],
    want: ['127.96.0.10:80 ClusterIP default/web cluster', '127.0.0.2:30080 NodePort default/web external', '192.0.2.2:30080 NodePort default/web external'],
  },
  {
    name: 'a node port without a cluster IP still listens on the node',
    entries: [entry('default/web', { clusterIP: undefined, nodePort: 30080 })],
    addrs: ['127.0.0.2'],
    want: ['127.0.0.2:30080 NodePort default/web external'],
  },
  {
    name: 'two entries asking for one socket: the id that sorts first wins, whatever the input order',
    entries: [entry('default/zz'), entry('default/aa')],
    addrs: [],
    want: ['127.96.0.10:80 ClusterIP default/aa cluster'],
  },
];
for (const c of desiredCases) {
  test(`desiredListeners(): ${c.name}`, (t) => {
    t.deepEqual(show(desiredListeners(c.entries, c.addrs)), c.want);
  });
}

const spec = (key: string, target = 'default/web', kind: ListenerSpec['kind'] = 'ClusterIP'): ListenerSpec => {
  const [ip, port] = key.split(':');
  const [service, portName = ''] = target.split(':');
  return { key, ip: ip!, port: Number(port), kind, target, scope: kind === 'ClusterIP' ? 'cluster' : 'external', service: service!, portName };
};
const map = (...specs: ListenerSpec[]) => new Map(specs.map((s) => [s.key, s]));

const planCases: { name: string; current: ListenerSpec[]; desired: ListenerSpec[]; open: string[]; close: string[]; retarget: string[] }[] = [
  { name: 'from nothing: open all', current: [], desired: [spec('127.96.0.11:80'), spec('127.96.0.10:80')], open: ['127.96.0.10:80', '127.96.0.11:80'], close: [], retarget: [] },
  { name: 'unchanged: nothing to do', current: [spec('127.96.0.10:80')], desired: [spec('127.96.0.10:80')], open: [], close: [], retarget: [] },
  { name: 'a Service gone: close its listeners', current: [spec('127.96.0.10:80'), spec('127.0.0.2:30080', 'default/web', 'NodePort')], desired: [], open: [], close: ['127.0.0.2:30080', '127.96.0.10:80'], retarget: [] },
  { name: 'a port changed: close the old socket, open the new', current: [spec('127.96.0.10:80')], desired: [spec('127.96.0.10:8080')], open: ['127.96.0.10:8080'], close: ['127.96.0.10:80'], retarget: [] },
  { name: 'a port renamed: same socket, new target, no reopen', current: [spec('127.96.0.10:80', 'default/web:http')], desired: [spec('127.96.0.10:80', 'default/web:web')], open: [], close: [], retarget: ['127.96.0.10:80'] },
  {
    name: 'a mix',
    current: [spec('127.96.0.10:80'), spec('127.96.0.12:80', 'default/b')],
    desired: [spec('127.96.0.10:80'), spec('127.96.0.12:80', 'default/c'), spec('127.96.0.13:80', 'default/d')],
    open: ['127.96.0.13:80'],
    close: [],
    retarget: ['127.96.0.12:80'],
  },
];
for (const c of planCases) {
  test(`planListeners(): ${c.name}`, (t) => {
    const plan = planListeners(map(...c.desired), map(...c.current));
    t.deepEqual(plan.open.map((s) => s.key), c.open);
    t.deepEqual(plan.close, c.close);
    t.deepEqual(plan.retarget.map((s) => s.key), c.retarget);
  });
}

test('clusterIPsOf() lists each cluster IP once, node addresses never', (t) => {
  const listeners = [spec('127.96.0.10:80'), spec('127.96.0.10:443'), spec('10.96.0.2:53'), spec('127.0.0.2:30080', 'default/web', 'NodePort')];
  t.deepEqual(clusterIPsOf(listeners), ['10.96.0.2', '127.96.0.10']);
});

const addrCases = [
  { name: 'first time: add all', current: [], desired: ['10.96.0.10', '10.96.0.2'], add: ['10.96.0.2', '10.96.0.10'], remove: [] },
  { name: 'in sync', current: ['10.96.0.10'], desired: ['10.96.0.10'], add: [], remove: [] },
  { name: 'a Service gone and one new', current: ['10.96.0.10', '10.96.0.11'], desired: ['10.96.0.11', '10.96.0.12'], add: ['10.96.0.12'], remove: ['10.96.0.10'] },
  { name: 'left over from a crashed proxy: removed', current: ['10.96.0.99'], desired: [], add: [], remove: ['10.96.0.99'] },
];
for (const c of addrCases) {
  test(`planAddresses(): ${c.name}`, (t) => {
    t.deepEqual(planAddresses(c.current, c.desired), { add: c.add, remove: c.remove });
  });
}
