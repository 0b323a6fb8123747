import test from 'ava';
import { applyDefaults } from '../../../src/api/defaults.js';
import { formatFieldError } from '../../../src/api/errors.js';
import { resourceByKind } from '../../../src/api/resources.js';
import type { Service, ServiceSpec } from '../../../src/api/types.js';
import { validateObject } from '../../../src/api/validation/index.js';

const SERVICES = resourceByKind('Service')!;

const service = (spec: Partial<ServiceSpec> = {}): Service => ({
  metadata: { name: 'web', namespace: 'default' },
  spec: { selector: { app: 'web' }, ports: [{ port: 80, targetPort: 8080 }], ...spec },
});

function messages(s: Service, old?: Service): string[] {
  applyDefaults(s, SERVICES);
  return validateObject(s, SERVICES, old).map(formatFieldError);
}

test('service: a defaulted ClusterIP service is valid', (t) => {
  t.deepEqual(messages(service()), []);
});

test('service: NodePort, LoadBalancer, headless and ExternalName services are valid', (t) => {
  t.deepEqual(messages(service({ type: 'NodePort', ports: [{ port: 80, nodePort: 30080 }] })), []);
  t.deepEqual(messages(service({ type: 'LoadBalancer' })), []);
  t.deepEqual(messages(service({ clusterIP: 'None', ports: [] })), []);
  t.deepEqual(messages({ metadata: { name: 'db', namespace: 'default' }, spec: { type: 'ExternalName', externalName: 'db.example.com.' } }), []);
});

/** [what, service, Kubernetes' messages] */
const cases: [string, Service, string[]][] = [
  ['no ports', service({ ports: [] }), ['spec.ports: Required value']],
  [
    'port 0 (targetPort defaults to it, so both are reported)',
    service({ ports: [{ port: 0 }] }),
    ['spec.ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive', 'spec.ports[0].targetPort: Invalid value: 0: must be between 1 and 65535, inclusive'],
  ],
  [
    'two ports without names',
    service({ ports: [{ port: 80 }, { port: 443 }] }),
    ['spec.ports[0].name: Required value', 'spec.ports[1].name: Required value'],
  ],
  [
    'two ports with one name',
    service({ ports: [{ name: 'http', port: 80 }, { name: 'http', port: 81 }] }),
    ['spec.ports[1].name: Duplicate value: "http"'],
  ],
  [
    'the same port twice',
    service({ ports: [{ name: 'a', port: 80 }, { name: 'b', port: 80 }] }),
    ['spec.ports[1]: Duplicate value: {"port":80,"protocol":"TCP"}'],
  ],
  [
    'a targetPort name that is not a port name',
    service({ ports: [{ port: 80, targetPort: 'HTTP' }] }),
    ['spec.ports[0].targetPort: Invalid value: "HTTP": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)', 'spec.ports[0].targetPort: Invalid value: "HTTP": must contain at least one letter (a-z)'],
  ],
  [
    'a node port on a ClusterIP service',
    service({ ports: [{ port: 80, nodePort: 30080 }] }),
    ["spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'"],
  ],
  [
    'a node port outside the range',
    service({ type: 'NodePort', ports: [{ port: 80, nodePort: 8080 }] }),
    ['spec.ports[0].nodePort: Invalid value: 8080: provided port is not in the valid range. The range of valid ports is 30000-32767'],
  ],
  [
    'an unknown type',
    service({ type: 'Internal' as never }),
    ['spec.type: Unsupported value: "Internal": supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"'],
  ],
  [
    'an invalid selector value',
    service({ selector: { app: 'web server' } }),
    [
      `spec.selector: Invalid value: "web server": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')`,
    ],
  ],
  ['an invalid clusterIP', service({ clusterIP: '10.0.0.300' }), ['spec.clusterIP: Invalid value: "10.0.0.300": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)']],
  ['a headless NodePort service', service({ type: 'NodePort', clusterIP: 'None' }), ["spec.clusterIPs[0]: Invalid value: \"None\": may not be set to 'None' for NodePort services"]],
  [
    'an unknown session affinity',
    service({ sessionAffinity: 'Sticky' as never }),
    ['spec.sessionAffinity: Unsupported value: "Sticky": supported values: "ClientIP", "None"'],
  ],
  [
    'externalTrafficPolicy on a ClusterIP service',
    service({ externalTrafficPolicy: 'Local' }),
    ['spec.externalTrafficPolicy: Invalid value: "Local": may only be set for externally-accessible services'],
  ],
  [
    'an unknown internalTrafficPolicy',
    service({ internalTrafficPolicy: 'Nearby' as never }),
    ['spec.internalTrafficPolicy: Unsupported value: "Nearby": supported values: "Cluster", "Local"'],
  ],
  [
    'a loopback external IP',
    service({ externalIPs: ['127.0.0.1'] }),
    ['spec.externalIPs[0]: Invalid value: "127.0.0.1": may not be in the loopback range (127.0.0.0/8, ::1/128)'],
  ],
  [
    'an ExternalName service without a name',
    { metadata: { name: 'db', namespace: 'default' }, spec: { type: 'ExternalName' } },
    ['spec.externalName: Required value'],
  ],
  [
    'an ExternalName service with a cluster IP',
    { metadata: { name: 'db', namespace: 'default' }, spec: { type: 'ExternalName', externalName: 'db.example.com', clusterIP: '10.96.0.5' } },
    ['spec.clusterIPs: Forbidden: may not be set for ExternalName services'],
  ],
  [
    'a LoadBalancer exposing the kubelet port',
    service({ type: 'LoadBalancer', ports: [{ port: 10250 }] }),
    ['spec.ports[0]: Invalid value: 10250: may not expose port 10250 externally since it is used by kubelet'],
  ],
];
for (const [what, s, want] of cases) {
  test(`service: ${what} is refused`, (t) => {
    t.deepEqual(messages(s), want);
  });
}

function stored(spec: Partial<ServiceSpec> = {}): Service {
  const s = service({ clusterIP: '10.96.0.10', clusterIPs: ['10.96.0.10'], ...spec });
  applyDefaults(s, SERVICES);
  s.metadata = { ...s.metadata, uid: 'u', resourceVersion: '4' };
  return s;
}

test('service update: the cluster IP may not change once set', (t) => {
  const old = stored();
  const next = structuredClone(old);
  next.spec.clusterIP = '10.96.0.11';
  next.spec.clusterIPs = ['10.96.0.11'];
  t.deepEqual(messages(next, old), ['spec.clusterIPs[0]: Invalid value: ["10.96.0.11"]: may not change once set']);
});

test('service update: an update that leaves the cluster IP out keeps it', (t) => {
  const old = stored();
  const next = structuredClone(old);
  delete next.spec.clusterIP;
  delete next.spec.clusterIPs;
  next.spec.ports = [{ port: 81 }];
  t.deepEqual(messages(next, old), []);
});

test('service update: switching to ExternalName releases the cluster IP', (t) => {
  const old = stored();
  const next = structuredClone(old);
  next.spec = { type: 'ExternalName', externalName: 'db.example.com' };
  t.deepEqual(messages(next, old), []);
});
