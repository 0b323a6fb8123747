/**
 * The proxy daemon's flags, checked without I/O: every bad value becomes a FlagError that names
 * the flag, which main.ts prints before exiting 2.
 */
import { parseCidr, parseIPv4 } from './addresses.js';

/** The flags as commander hands them over: strings, unvalidated. */
export interface RawProxyFlags {
  kubeconfig?: string;
  nodeName?: string;
  nodeIp: string;
  nodePortAddresses?: string;
  clusterIpInterface?: string;
  port: string;
  v: string;
}

export interface ProxyFlags {
  kubeconfig: string;
  nodeName: string;
  nodeIP: string;
  /** Addresses or CIDRs; empty means the node IP. */
  nodePortAddresses: string[];
  clusterIPInterface: string | undefined;
  port: number;
  verbosity: number;
}

/** A flag has a value the proxy cannot use. */
export class FlagError extends Error {
  constructor(
    readonly flag: string,
    message: string,
  ) {
    super(`${flag}: ${message}`);
    this.name = 'FlagError';
  }
}

/** Linux interface names: 1 to 15 bytes, no "/", ":" or whitespace, not "." or "..". */
const IFNAME = /^(?!\.{1,2}$)[^/:\s]{1,15}$/;

/** Checks raw flags; defaultNodeName stands in for a missing --node-name (the host name, as kube-proxy). */
export function parseProxyFlags(raw: RawProxyFlags, defaultNodeName: string): ProxyFlags {
  if (!raw.kubeconfig) throw new FlagError('--kubeconfig', 'is required (the kubeconfig of the cluster to watch)');
  const nodeName = raw.nodeName ?? defaultNodeName;
  if (!nodeName) throw new FlagError('--node-name', 'must not be empty');
  if (parseIPv4(raw.nodeIp) === undefined) throw new FlagError('--node-ip', `"${raw.nodeIp}" is not an IPv4 address`);
  const nodePortAddresses = (raw.nodePortAddresses ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const a of nodePortAddresses) {
    if (parseIPv4(a) === undefined && !parseCidr(a)) throw new FlagError('--node-port-addresses', `"${a}" is neither an IPv4 address nor an IPv4 CIDR`);
  }
  if (raw.clusterIpInterface !== undefined && !IFNAME.test(raw.clusterIpInterface)) {
    throw new FlagError('--cluster-ip-interface', `"${raw.clusterIpInterface}" is not a valid interface name (1-15 characters, no "/", ":" or spaces)`);
  }
  if (!/^\d{1,5}$/.test(raw.port) || Number(raw.port) > 65535) throw new FlagError('--port', `"${raw.port}" is not a port number (0-65535; 0 picks a free one)`);
  if (!/^\d+$/.test(raw.v)) throw new FlagError('-v', `"${raw.v}" is not a log level (0, 1, 2, ...)`);
  return {
    kubeconfig: raw.kubeconfig,
    nodeName,
    nodeIP: raw.nodeIp,
    nodePortAddresses,
    clusterIPInterface: raw.clusterIpInterface,
    port: Number(raw.port),
    verbosity: Number(raw.v),
  };
}
