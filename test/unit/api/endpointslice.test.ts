import test from 'ava';
import protobuf from 'protobufjs';
import { applyDefaults } from '../../../src/api/defaults.js';
import { apiResourceList } from '../../../src/api/discovery.js';
import { formatFieldError } from '../../../src/api/errors.js';
import { openapiV3Document, unknownFields } from '../../../src/api/openapi/index.js';
import { decodeProtobufObject } from '../../../src/api/protobuf/index.js';
import { resourceFor } from '../../../src/api/resources.js';
import { tableColumns, tableRow } from '../../../src/api/tables.js';
import type { EndpointSlice, KObject } from '../../../src/api/types.js';
import { validateObject } from '../../../src/api/validation/index.js';

const R = resourceFor('discovery.k8s.io', 'endpointslices')!;

function slice(over: Record<string, unknown> = {}): KObject {
  const obj = { apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name: 'web-abcde', namespace: 'default' }, addressType: 'IPv4', endpoints: [{ addresses: ['10.0.0.1'] }], ports: [{ port: 80 }], ...over } as KObject;
  applyDefaults(obj, R);
  return obj;
}

const errors = (obj: KObject, old?: KObject, opts = {}) => validateObject(obj, R, old, opts).map(formatFieldError);

test('EndpointSlice is served as discovery.k8s.io/v1 endpointslices, namespaced, without subresources', (t) => {
  t.like(R, { kind: 'EndpointSlice', listKind: 'EndpointSliceList', singular: 'endpointslice', namespaced: true, subresources: [], hasStatus: false });
  t.deepEqual(apiResourceList('discovery.k8s.io', 'v1')!.resources.map((r) => r.name), ['endpointslices']);
  t.truthy((openapiV3Document('apis/discovery.k8s.io/v1') as { components: { schemas: Record<string, unknown> } }).components.schemas['io.k8s.api.discovery.v1.EndpointSlice']);
  t.deepEqual(unknownFields('discovery.k8s.io/v1', 'EndpointSlice', { endpoints: [{ addresses: [], condition: {} }] }), ['endpoints[0].condition']);
});

test('defaults: a port without name or protocol gets "" and TCP', (t) => {
  t.deepEqual(slice().ports, [{ port: 80, name: '', protocol: 'TCP' }]);
  t.deepEqual(slice({ ports: [{ name: 'http', protocol: 'UDP', port: 53 }] }).ports, [{ name: 'http', protocol: 'UDP', port: 53 }]);
});

const many = (n: number, f: (i: number) => unknown) => Array.from({ length: n }, (_, i) => f(i));

const INVALID: [string, Record<string, unknown>, string[]][] = [
  ['addressType is required', { addressType: undefined }, ['addressType: Required value']],
  ['addressType is one of FQDN, IPv4, IPv6', { addressType: 'IP' }, ['addressType: Unsupported value: "IP": supported values: "FQDN", "IPv4", "IPv6"']],
  ['an endpoint has an address', { endpoints: [{ addresses: [] }] }, ['endpoints[0].addresses: Required value: must contain at least 1 address']],
  ['IPv4 addresses are IPv4', { endpoints: [{ addresses: ['fd00::1'] }] }, ['endpoints[0].addresses[0]: Invalid value: "fd00::1": must be a valid IPv4 address']],
  ['IPv6 addresses are IPv6', { addressType: 'IPv6', endpoints: [{ addresses: ['10.0.0.1'] }] }, ['endpoints[0].addresses[0]: Invalid value: "10.0.0.1": must be a valid IPv6 address']],
  ['no loopback addresses', { endpoints: [{ addresses: ['127.0.0.1'] }] }, ['endpoints[0].addresses[0]: Invalid value: "127.0.0.1": may not be in the loopback range (127.0.0.0/8, ::1/128)']],
  ['FQDN addresses have two labels', { addressType: 'FQDN', endpoints: [{ addresses: ['web'] }] }, ['endpoints[0].addresses[0]: Invalid value: "web": should be a domain with at least two segments separated by dots']],
  ['at most 1000 endpoints', { endpoints: many(1001, (i) => ({ addresses: [`10.0.${i >> 8}.${i & 255 || 1}`] })) }, ['endpoints: Too many: must have at most 1000 items']],
  ['at most 100 ports', { ports: many(101, (i) => ({ name: `p${i}`, port: 1000 + i })) }, ['ports: Too many: must have at most 100 items']],
  ['port names are DNS labels', { ports: [{ name: 'HTTP', port: 80 }] }, [
    'ports[0].name: Invalid value: "HTTP": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or \'-\', and must start and end with an alphanumeric character (e.g. \'my-name\',  or \'123-abc\', regex used for validation is \'[a-z0-9]([-a-z0-9]*[a-z0-9])?\')',
  ]],
  ['port names are unique', { ports: [{ port: 80 }, { port: 81 }] }, ['ports[1].name: Duplicate value: ""']],
  ['protocols are TCP, UDP or SCTP', { ports: [{ port: 80, protocol: 'HTTP' }] }, ['ports[0].protocol: Unsupported value: "HTTP": supported values: "SCTP", "TCP", "UDP"']],
  ['hostnames are DNS labels', { endpoints: [{ addresses: ['10.0.0.1'], hostname: 'a.b' }] }, ['endpoints[0].hostname: Invalid value: "a.b": must not contain dots']],
];

for (const [name, over, want] of INVALID) {
  test(`validation: ${name}`, (t) => {
    t.deepEqual(errors(slice(over)), want);
  });
}

test('validation: a valid slice passes; loopback is allowed for the local lab; addressType is immutable', (t) => {
  t.deepEqual(errors(slice({ endpoints: [{ addresses: ['10.0.0.1'], conditions: { ready: true }, nodeName: 'w1', targetRef: { kind: 'Pod', name: 'p' } }] })), []);
  t.deepEqual(errors(slice({ addressType: 'FQDN', endpoints: [{ addresses: ['web.example.com'] }] })), []);
  t.deepEqual(errors(slice({ endpoints: [{ addresses: ['127.0.0.5'] }] }), undefined, { allowLoopbackEndpoints: true }), []);
  const old = slice({ metadata: { name: 'web-abcde', namespace: 'default', resourceVersion: '1', uid: 'u', creationTimestamp: '2026-01-01T00:00:00Z' } });
  const next = slice({ metadata: old.metadata, addressType: 'IPv6', endpoints: [{ addresses: ['fd00::1'] }] });
  t.deepEqual(errors(next, old), ['addressType: Invalid value: "IPv6": field is immutable']);
});

test('table: NAME ADDRESSTYPE PORTS ENDPOINTS AGE, three entries at most, "<unset>" when none', (t) => {
  t.deepEqual(tableColumns('EndpointSlice').map((c) => c.name), ['Name', 'AddressType', 'Ports', 'Endpoints', 'Age']);
  const now = Date.parse('2026-01-01T00:01:00Z');
  const s = (over: Partial<EndpointSlice>) => ({ metadata: { name: 'web-abcde', creationTimestamp: '2026-01-01T00:00:00Z' }, addressType: 'IPv4', endpoints: [], ...over }) as EndpointSlice;
  t.deepEqual(tableRow('EndpointSlice', s({ ports: [{ name: 'http', port: 8080 }], endpoints: [{ addresses: ['10.0.0.1'] }, { addresses: ['10.0.0.2'] }] }), now), ['web-abcde', 'IPv4', '8080', '10.0.0.1,10.0.0.2', '60s']);
  t.deepEqual(tableRow('EndpointSlice', s({}), now).slice(2, 4), ['<unset>', '<unset>']);
  t.deepEqual(tableRow('EndpointSlice', s({ ports: [{ name: 'all' }, {}] }), now)[2], 'all,*');
  const four = ['10.0.0.1', '10.0.0.2', '10.0.0.3', '10.0.0.4'].map((a) => ({ addresses: [a] }));
  t.is(tableRow('EndpointSlice', s({ endpoints: four }), now)[3], '10.0.0.1,10.0.0.2,10.0.0.3 + 1 more...');
});

test('protobuf: an EndpointSlice body decodes, pointers keeping their zero values', (t) => {
  const w = (build: (w: protobuf.Writer) => void) => {
    const x = protobuf.Writer.create();
    build(x);
    return x.finish();
  };
  const conditions = w((x) => x.uint32(8).bool(false).uint32(16).bool(true).uint32(24).bool(false));
  const endpoint = w((x) => x.uint32(10).string('10.0.0.1').uint32(18).bytes(conditions).uint32(50).string('w1'));
  const port = w((x) => x.uint32(10).string('').uint32(18).string('TCP').uint32(24).int32(8080));
  const meta = w((x) => x.uint32(10).string('web-abcde'));
  const raw = w((x) => x.uint32(10).bytes(meta).uint32(18).bytes(endpoint).uint32(26).bytes(port).uint32(34).string('IPv4'));
  const typeMeta = w((x) => x.uint32(10).string('discovery.k8s.io/v1').uint32(18).string('EndpointSlice'));
  const body = Buffer.concat([Buffer.from('k8s\0', 'latin1'), w((x) => x.uint32(10).bytes(typeMeta).uint32(18).bytes(raw))]);
  t.deepEqual(JSON.parse(JSON.stringify(decodeProtobufObject(body).object)), {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: 'web-abcde' },
    addressType: 'IPv4',
    endpoints: [{ addresses: ['10.0.0.1'], conditions: { ready: false, serving: true, terminating: false }, nodeName: 'w1' }],
    ports: [{ name: '', protocol: 'TCP', port: 8080 }],
  });
});
