/**
 * kube-proxy's counterpart: `node src/worker/proxy/main.ts --kubeconfig FILE --node-name N
 * --node-ip IP ...`. Started by the lab's providers on every node; prints "ready <url>" (its
 * health and metrics server) once serving. Bad flags exit 2 with a message naming the flag.
 */
import { hostname } from 'node:os';
import { Command, Option } from 'commander';
import { Client } from '../../client/rest.js';
import { parseFlags, runDaemon } from '../../util/daemon.js';
import { FlagError, parseProxyFlags, type ProxyFlags, type RawProxyFlags } from './flags.js';
import { startProxy } from './proxy.js';

const cmd = new Command('proxy')
  .description('The kubelab service proxy: forwards TCP for Service cluster IPs and node ports to ready endpoints.')
  .option('--kubeconfig <path>', 'kubeconfig of the cluster (required)')
  .option('--node-name <name>', 'name of this node (default: the host name)')
  .option('--node-ip <ip>', 'IPv4 address of this node: the health server listens here, and node ports by default', '127.0.0.1')
  .option('--node-port-addresses <list>', 'comma-separated IPv4 addresses or CIDRs node ports listen on (a CIDR selects this node\'s addresses in it; default: --node-ip)')
  .option('--cluster-ip-interface <name>', 'create this dummy interface and bind every cluster IP to it (needs root), as kube-proxy IPVS mode does with kube-ipvs0')
  .option('--port <n>', 'port of /healthz and /metrics on --node-ip (0 picks one)', '10256')
  .addOption(new Option('-v <level>', 'log verbosity').default('0'));

const raw = parseFlags<RawProxyFlags & Record<string, unknown>>(cmd);
let f: ProxyFlags;
try {
  f = parseProxyFlags(raw, hostname());
} catch (err) {
  if (!(err instanceof FlagError)) throw err;
  process.stderr.write(`error: ${err.message}\n`);
  process.exit(2);
}

await runDaemon('proxy', f.verbosity, async (log) => {
  const client = Client.fromKubeconfig(f.kubeconfig, undefined, { userAgent: `kubelab-proxy/${f.nodeName}` });
  try {
    const proxy = await startProxy({
      client,
      nodeName: f.nodeName,
      nodeIP: f.nodeIP,
      nodePortAddresses: f.nodePortAddresses,
      ...(f.clusterIPInterface ? { clusterIPInterface: f.clusterIPInterface } : {}),
      healthPort: f.port,
      processMetrics: true,
      log,
    });
    return {
      ready: proxy.url,
      close: async () => {
        await proxy.close();
        client.close();
      },
    };
  } catch (err) {
    client.close();
    throw err;
  }
});
