/**
 * Validation of discovery.k8s.io/v1 EndpointSlice, as pkg/apis/discovery/validation (Kubernetes
 * 1.32) does it: a supported addressType that never changes, at most 1000 endpoints of 1 to 100
 * addresses each, valid for the addressType, and at most 100 ports with unique DNS-label names.
 * Expects the defaults (port name "" and protocol TCP) to have been applied.
 */
import { isIPv4, isIPv6 } from 'node:net';
import { fieldError, type FieldError } from '../errors.js';
import type { KObject } from '../types.js';
import { asObj, child, dns1123Label, immutable, index, isObj, key, nameIsDNSSubdomain, objs, present, qualifiedName, str, strMap, validateLabels } from './common.js';
import { PORT_PROTOCOLS } from './container.js';
import { validateObjectMeta, validateObjectMetaUpdate } from './meta.js';
import { endpointIP } from './service.js';
import { isDNS1123Label, isDNS1123Subdomain, isValidLabelValue } from './strings.js';

export const ADDRESS_TYPES = ['FQDN', 'IPv4', 'IPv6'] as const;
export const MAX_ENDPOINTS = 1000;
export const MAX_ADDRESSES = 100;
export const MAX_PORTS = 100;
const MAX_TOPOLOGY_LABELS = 16;
const MAX_ZONE_HINTS = 8;

/** field.TooMany: printed without the value. */
function tooMany(path: string, actual: number, max: number): FieldError {
  return { type: 'FieldValueTooMany', field: path, badValue: actual, detail: `must have at most ${max} items` };
}

/** validation.IsFullyQualifiedDomainName */
function fqdn(value: string, path: string): FieldError[] {
  if (value === '') return [fieldError.required(path)];
  const name = value.endsWith('.') ? value.slice(0, -1) : value;
  const sub = isDNS1123Subdomain(name);
  if (sub.length) return [fieldError.invalid(path, name, sub.join(','))];
  const labels = name.split('.');
  if (labels.length < 2) return [fieldError.invalid(path, name, 'should be a domain with at least two segments separated by dots')];
  for (const label of labels) {
    const errs = isDNS1123Label(label);
    if (errs.length) return [fieldError.invalid(path, label, errs.join(','))];
  }
  return [];
}

/** IsValidIPv4Address / IsValidIPv6Address, then ValidateNonSpecialIP. */
function ipAddress(value: string, family: 'IPv4' | 'IPv6', path: string, allowLoopback: boolean): FieldError[] {
  const valid = family === 'IPv4' ? isIPv4(value) : isIPv6(value);
  const errs: FieldError[] = valid ? [] : [fieldError.invalid(path, value, `must be a valid ${family} address`)];
  if (!isIPv4(value) && !isIPv6(value)) return [...errs, fieldError.invalid(path, value, 'must be a valid IP address')];
  for (const e of endpointIP(value, path)) {
    if (allowLoopback && /loopback/.test(e.detail ?? '')) continue;
    // ValidateNonSpecialIP names the address itself, where ValidateEndpointIP says 0.0.0.0.
    errs.push(/unspecified/.test(e.detail ?? '') ? { ...e, detail: `may not be unspecified (${value})` } : e);
  }
  return errs;
}

function validateHints(hints: Record<string, unknown>, path: string): FieldError[] {
  const zones = objs(hints.forZones);
  const zp = child(path, 'forZones');
  if (zones.length > MAX_ZONE_HINTS) return [tooMany(zp, zones.length, MAX_ZONE_HINTS)];
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  zones.forEach((z, i) => {
    const np = child(index(zp, i), 'name');
    const name = str(z.name);
    if (seen.has(name)) errs.push(fieldError.duplicate(np, name));
    seen.add(name);
    errs.push(...isValidLabelValue(name).map((m) => fieldError.invalid(np, name, m)));
  });
  return errs;
}

function validateEndpoints(endpoints: unknown, addressType: string, allowLoopback: boolean): FieldError[] {
  const list = objs(endpoints);
  if (list.length > MAX_ENDPOINTS) return [tooMany('endpoints', list.length, MAX_ENDPOINTS)];
  const errs: FieldError[] = [];
  list.forEach((ep, i) => {
    const ip = index('endpoints', i);
    const ap = child(ip, 'addresses');
    const addresses = Array.isArray(ep.addresses) ? ep.addresses.map(str) : [];
    if (addresses.length === 0) errs.push(fieldError.required(ap, 'must contain at least 1 address'));
    else if (addresses.length > MAX_ADDRESSES) errs.push(tooMany(ap, addresses.length, MAX_ADDRESSES));
    addresses.forEach((a, j) => {
      // Unknown address types are refused on their own; their addresses are not judged.
      if (addressType === 'IPv4' || addressType === 'IPv6') errs.push(...ipAddress(a, addressType, index(ap, j), allowLoopback));
      else if (addressType === 'FQDN') errs.push(...fqdn(a, index(ap, j)));
    });
    if (present(ep.nodeName)) {
      const node = str(ep.nodeName);
      errs.push(...isDNS1123Subdomain(node).map((m) => fieldError.invalid(child(ip, 'nodeName'), node, m)));
    }
    const topology = strMap(ep.deprecatedTopology);
    const tp = child(ip, 'deprecatedTopology');
    if (Object.keys(topology).length > MAX_TOPOLOGY_LABELS) errs.push(tooMany(tp, Object.keys(topology).length, MAX_TOPOLOGY_LABELS));
    errs.push(...validateLabels(topology, tp));
    if ('topology.kubernetes.io/zone' in topology) errs.push({ type: 'FieldValueInvalid', field: key(tp, 'topology.kubernetes.io/zone'), detail: 'reserved key was not removed in conversion' });
    if (present(ep.hostname)) errs.push(...dns1123Label(str(ep.hostname), child(ip, 'hostname')));
    if (isObj(ep.hints)) errs.push(...validateHints(ep.hints, child(ip, 'hints')));
  });
  return errs;
}

function validatePorts(ports: unknown): FieldError[] {
  const list = objs(ports);
  if (list.length > MAX_PORTS) return [tooMany('ports', list.length, MAX_PORTS)];
  const errs: FieldError[] = [];
  const names = new Set<string>();
  list.forEach((p, i) => {
    const pp = index('ports', i);
    const name = str(p.name);
    if (name) errs.push(...dns1123Label(name, child(pp, 'name')));
    if (names.has(name)) errs.push(fieldError.duplicate(child(pp, 'name'), name));
    names.add(name);
    if (!present(p.protocol)) errs.push(fieldError.required(child(pp, 'protocol')));
    else if (!PORT_PROTOCOLS.includes(str(p.protocol))) errs.push(fieldError.notSupported(child(pp, 'protocol'), p.protocol, PORT_PROTOCOLS));
    if (present(p.appProtocol)) errs.push(...qualifiedName(str(p.appProtocol), child(pp, 'appProtocol')));
  });
  return errs;
}

/**
 * ValidateEndpointSliceCreate, or ValidateEndpointSliceUpdate when old is given (addressType is
 * immutable). allowLoopback accepts 127.0.0.0/8 addresses, as for Endpoints (the local lab).
 */
export function validateEndpointSlice(obj: KObject, old?: KObject, allowLoopback = false): FieldError[] {
  const errs = old ? validateObjectMetaUpdate(obj.metadata, old.metadata) : validateObjectMeta(obj.metadata, { namespaced: true, nameFn: nameIsDNSSubdomain });
  const addressType = str(obj.addressType);
  if (addressType === '') errs.push(fieldError.required('addressType'));
  else if (!(ADDRESS_TYPES as readonly string[]).includes(addressType)) errs.push(fieldError.notSupported('addressType', obj.addressType, ADDRESS_TYPES));
  errs.push(...validateEndpoints(obj.endpoints, addressType, allowLoopback));
  errs.push(...validatePorts(obj.ports));
  if (old) errs.push(...immutable(obj.addressType, asObj(old).addressType, 'addressType'));
  return errs;
}
