/** serviceRoutes(): the routing table of one Service from its Endpoints, table-driven. */
import test from 'ava';
import type { Endpoints, EndpointSubset, Service, ServiceSpec } from '../../../src/api/types.js';
import { compareAddr, serviceRoutes, type ServicePortEntry } from '../../../src/worker/proxy/table.js';

const svc = (spec: Partial<ServiceSpec>, name = 'web'): Service => ({
  metadata: { namespace: 'default', name },
  spec: { clusterIP: '127.96.0.10', ports: [{ port: 80 }], ...spec },
});
const eps = (...subsets: EndpointSubset[]): Endpoints => ({ metadata: { namespace: 'default', name: 'web' }, subsets });

/** The fields a case cares about. */
const brief = (e: ServicePortEntry) => ({ id: e.id, clusterIP: e.clusterIP, port: e.port, nodePort: e.nodePort, cluster: e.clusterEndpoints, external: e.externalEndpoints });

const cases: { name: string; svc: Service; eps?: Endpoints; node?: string; want: ReturnType<typeof brief>[]; skipped?: string[] }[] = [
  {
    name: 'an unnamed port takes the unnamed Endpoints port, ready addresses only',
    svc: svc({}),
    eps: eps({ addresses: [{ ip: '127.244.1.2' }, { ip: '127.244.1.1' }], notReadyAddresses: [{ ip: '127.244.1.3' }], ports: [{ port: 8080 }] }),
    want: [{ id: 'default/web', clusterIP: '127.96.0.10', port: 80, nodePort: undefined, cluster: ['127.244.1.1:8080', '127.244.1.2:8080'], external: ['127.244.1.1:8080', '127.244.1.2:8080'] }],
  },
  {
    name: 'named ports match Endpoints ports by name, whatever their order and target port',
    svc: svc({ ports: [{ name: 'http', port: 80, targetPort: 'web' }, { name: 'metrics', port: 9090 }] }),
    eps: eps({ addresses: [{ ip: '127.244.1.1' }], ports: [{ name: 'metrics', port: 9100 }, { name: 'http', port: 8080 }] }),
    want: [
      { id: 'default/web:http', clusterIP: '127.96.0.10', port: 80, nodePort: undefined, cluster: ['127.244.1.1:8080'], external: ['127.244.1.1:8080'] },
      { id: 'default/web:metrics', clusterIP: '127.96.0.10', port: 9090, nodePort: undefined, cluster: ['127.244.1.1:9100'], external: ['127.244.1.1:9100'] },
    ],
  },
  {
    name: 'subsets with different ports each contribute their addresses at their own port',
    svc: svc({ ports: [{ name: 'http', port: 80 }] }),
    eps: eps(
      { addresses: [{ ip: '127.244.1.1' }], ports: [{ name: 'http', port: 8080 }] },
      { addresses: [{ ip: '127.244.2.1' }, { ip: '127.244.1.1' }], ports: [{ name: 'http', port: 8081 }] },
      { addresses: [{ ip: '127.244.3.1' }], ports: [{ name: 'other', port: 1 }] },
    ),
    want: [{ id: 'default/web:http', clusterIP: '127.96.0.10', port: 80, nodePort: undefined, cluster: ['127.244.1.1:8080', '127.244.1.1:8081', '127.244.2.1:8081'], external: ['127.244.1.1:8080', '127.244.1.1:8081', '127.244.2.1:8081'] }],
  },
  {
    name: 'a port whose name no Endpoints port has gets no endpoints, but is still served',
    svc: svc({ ports: [{ name: 'http', port: 80 }] }),
    eps: eps({ addresses: [{ ip: '127.244.1.1' }], ports: [{ name: 'https', port: 8443 }] }),
    want: [{ id: 'default/web:http', clusterIP: '127.96.0.10', port: 80, nodePort: undefined, cluster: [], external: [] }],
  },
  {
    name: 'no Endpoints object at all: served without endpoints',
    svc: svc({}),
    want: [{ id: 'default/web', clusterIP: '127.96.0.10', port: 80, nodePort: undefined, cluster: [], external: [] }],
  },
  {
    name: 'only not-ready addresses: no endpoints',
    svc: svc({}),
    eps: eps({ notReadyAddresses: [{ ip: '127.244.1.1' }], ports: [{ port: 8080 }] }),
    want: [{ id: 'default/web', clusterIP: '127.96.0.10', port: 80, nodePort: undefined, cluster: [], external: [] }],
  },
  {
    name: 'NodePort and LoadBalancer carry their node ports; ClusterIP ignores a stray one',
    svc: svc({ type: 'NodePort', ports: [{ port: 80, nodePort: 30080 }] }),
    eps: eps({ addresses: [{ ip: '127.244.1.1' }], ports: [{ port: 8080 }] }),
    want: [{ id: 'default/web', clusterIP: '127.96.0.10', port: 80, nodePort: 30080, cluster: ['127.244.1.1:8080'], external: ['127.244.1.1:8080'] }],
  },
  {
    name: 'LoadBalancer gets its node port too',
    svc: svc({ type: 'LoadBalancer', ports: [{ port: 80, nodePort: 31000 }] }),
    want: [{ id: 'default/web', clusterIP: '127.96.0.10', port: 80, nodePort: 31000, cluster: [], external: [] }],
  },
  {
    name: 'type ClusterIP never listens on a node port',
    svc: svc({ type: 'ClusterIP', ports: [{ port: 80, nodePort: 30080 }] }),
    want: [{ id: 'default/web', clusterIP: '127.96.0.10', port: 80, nodePort: undefined, cluster: [], external: [] }],
  },
  {
    name: 'headless Services are not proxied',
    svc: svc({ clusterIP: 'None' }),
    eps: eps({ addresses: [{ ip: '127.244.1.1' }], ports: [{ port: 8080 }] }),
    want: [],
  },
  {
    name: 'ExternalName Services are not proxied',
    svc: svc({ type: 'ExternalName', externalName: 'example.com', clusterIP: '' }),
    want: [],
  },
  {
    name: 'UDP and SCTP ports are skipped with a reason, TCP ones of the same Service served',
    svc: svc({ ports: [{ name: 'dns', port: 53, protocol: 'UDP' }, { name: 'dns-tcp', port: 53, protocol: 'TCP' }, { name: 's', port: 9, protocol: 'SCTP' }] }),
    eps: eps({ addresses: [{ ip: '127.244.1.1' }], ports: [{ name: 'dns', port: 5353, protocol: 'UDP' }, { name: 'dns-tcp', port: 5353 }] }),
    want: [{ id: 'default/web:dns-tcp', clusterIP: '127.96.0.10', port: 53, nodePort: undefined, cluster: ['127.244.1.1:5353'], external: ['127.244.1.1:5353'] }],
    skipped: ['dns: protocol UDP is not supported (TCP only)', 's: protocol SCTP is not supported (TCP only)'],
  },
  {
    name: 'internalTrafficPolicy Local keeps cluster IP traffic on this node; node ports still go anywhere',
    svc: svc({ type: 'NodePort', internalTrafficPolicy: 'Local', ports: [{ port: 80, nodePort: 30080 }] }),
    eps: eps({ addresses: [{ ip: '127.244.1.1', nodeName: 'n1' }, { ip: '127.244.2.1', nodeName: 'n2' }, { ip: '127.244.3.1' }], ports: [{ port: 8080 }] }),
    node: 'n1',
    want: [{ id: 'default/web', clusterIP: '127.96.0.10', port: 80, nodePort: 30080, cluster: ['127.244.1.1:8080'], external: ['127.244.1.1:8080', '127.244.2.1:8080', '127.244.3.1:8080'] }],
  },
  {
    name: 'externalTrafficPolicy Local keeps node port traffic on this node, which may have none',
    svc: svc({ type: 'NodePort', externalTrafficPolicy: 'Local', ports: [{ port: 80, nodePort: 30080 }] }),
    eps: eps({ addresses: [{ ip: '127.244.2.1', nodeName: 'n2' }], ports: [{ port: 8080 }] }),
    node: 'n1',
    want: [{ id: 'default/web', clusterIP: '127.96.0.10', port: 80, nodePort: 30080, cluster: ['127.244.2.1:8080'], external: [] }],
  },
];

for (const c of cases) {
  test(`serviceRoutes(): ${c.name}`, (t) => {
    const r = serviceRoutes(c.svc, c.eps, c.node ?? 'n1');
    t.deepEqual(r.entries.map(brief), c.want);
    t.deepEqual(
      r.skipped.map((s) => `${s.portName}: ${s.reason}`),
      c.skipped ?? [],
    );
  });
}

test('serviceRoutes(): ClientIP session affinity with and without a timeout', (t) => {
  const plain = serviceRoutes(svc({}), undefined, 'n1').entries[0]!;
  t.deepEqual(plain.affinity, { clientIP: false, timeoutSeconds: 10_800 });
  const sticky = serviceRoutes(svc({ sessionAffinity: 'ClientIP' }), undefined, 'n1').entries[0]!;
  t.deepEqual(sticky.affinity, { clientIP: true, timeoutSeconds: 10_800 });
  const short = svc({ sessionAffinity: 'ClientIP' });
  (short.spec as unknown as Record<string, unknown>).sessionAffinityConfig = { clientIP: { timeoutSeconds: 60 } };
  t.deepEqual(serviceRoutes(short, undefined, 'n1').entries[0]!.affinity, { clientIP: true, timeoutSeconds: 60 });
});

test('compareAddr() orders ip:port numerically', (t) => {
  t.deepEqual(['127.244.1.10:80', '127.244.1.9:80', '127.244.1.9:1000', '10.0.0.1:1'].sort(compareAddr), ['10.0.0.1:1', '127.244.1.9:80', '127.244.1.9:1000', '127.244.1.10:80']);
});
