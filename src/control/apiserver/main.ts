/**
 * kube-apiserver's counterpart: `node src/control/apiserver/main.ts --data-dir DIR ...`.
 * Started by the lab's providers; prints "ready <url>" once serving.
 */
import { Command, Option } from 'commander';
import { parseFlags, readSecret, runDaemon } from '../../util/daemon.js';
import { FlagError, parseDuration, parseInteger } from '../../util/flags.js';
import { startApiServer } from './server.js';

interface Flags extends Record<string, unknown> {
  dataDir: string;
  host: string;
  port: string;
  tokenFile?: string;
  kubeletTokenFile?: string;
  tlsCertFile?: string;
  tlsPrivateKeyFile?: string;
  serviceCidr: string;
  nodePortRange: string;
  defaultTolerationSeconds: string;
  watchCacheSize: string;
  watchCoalesce: string;
  allowLoopbackEndpoints: boolean;
  advertiseAddress?: string;
  v: string;
}

const cmd = new Command('apiserver')
  .description('The kubelab API server: Kubernetes-shaped REST API over the embedded store.')
  .requiredOption('--data-dir <dir>', 'directory of the embedded SQLite store')
  .option('--host <addr>', 'address to listen on', '127.0.0.1')
  .option('--port <n>', 'port to listen on (0 picks one)', '6443')
  .option('--token-file <path>', 'file holding the bearer token clients must present')
  .option('--kubelet-token-file <path>', 'file holding the bearer token sent to kubelets for pods/log (default: the --token-file token)')
  .option('--tls-cert-file <path>', 'serve HTTPS with this PEM certificate')
  .option('--tls-private-key-file <path>', 'PEM private key of --tls-cert-file')
  .option('--service-cidr <cidr>', 'service cluster IP range', '10.96.0.0/16')
  .option('--node-port-range <lo-hi>', 'NodePort range', '30000-32767')
  .option('--default-toleration-seconds <n>', 'tolerationSeconds of the default not-ready/unreachable tolerations', '300')
  .option('--watch-cache-size <n>', 'events kept for resuming watchers', '50000')
  .option('--watch-coalesce <duration>', 'a busy watcher gets at most one socket write per this long (0: one per batch of events)', '2ms')
  .option('--advertise-address <addr>', 'address pods reach this API server at, for the "kubernetes" Service\'s Endpoints (default: --host unless 0.0.0.0)')
  .option('--allow-loopback-endpoints', 'accept 127.0.0.0/8 pod addresses in Endpoints (the local lab\'s process runtime)', false)
  .addOption(new Option('-v <level>', 'log verbosity').default('0'));

const f = parseFlags<Flags>(cmd);
let nums: { port: number; lo: number; hi: number; tolerationSeconds: number; watchCacheSize: number; coalesceMs: number };
try {
  if (!!f.tlsCertFile !== !!f.tlsPrivateKeyFile) throw new FlagError('--tls-cert-file', 'goes together with --tls-private-key-file');
  const range = /^(\d+)-(\d+)$/.exec(f.nodePortRange.trim());
  if (!range) throw new FlagError('--node-port-range', `"${f.nodePortRange}" is not LOW-HIGH`);
  const lo = parseInteger('--node-port-range', range[1]!, 1, 65535);
  const hi = parseInteger('--node-port-range', range[2]!, lo, 65535);
  nums = {
    port: parseInteger('--port', f.port, 0, 65535),
    lo,
    hi,
    tolerationSeconds: parseInteger('--default-toleration-seconds', f.defaultTolerationSeconds, 0),
    watchCacheSize: parseInteger('--watch-cache-size', f.watchCacheSize, 1),
    coalesceMs: parseDuration('--watch-coalesce', f.watchCoalesce),
  };
} catch (err) {
  if (!(err instanceof FlagError)) throw err;
  process.stderr.write(`error: ${err.message}\n`);
  process.exit(2);
}
await runDaemon('apiserver', Number(f.v), async (log) => {
  const server = await startApiServer({
    dataDir: f.dataDir,
    host: f.host,
    port: nums.port,
    ...(f.tokenFile ? { token: readSecret(f.tokenFile) } : {}),
    ...(f.kubeletTokenFile ? { kubeletToken: readSecret(f.kubeletTokenFile) } : {}),
    ...(f.tlsCertFile && f.tlsPrivateKeyFile ? { tls: { cert: readSecret(f.tlsCertFile), key: readSecret(f.tlsPrivateKeyFile) } } : {}),
    serviceCIDR: f.serviceCidr,
    nodePortRange: [nums.lo, nums.hi],
    defaultTolerationSeconds: nums.tolerationSeconds,
    watchCacheSize: nums.watchCacheSize,
    watchCoalesceMs: nums.coalesceMs,
    allowLoopbackEndpoints: f.allowLoopbackEndpoints,
    ...(f.advertiseAddress ? { advertiseAddress: f.advertiseAddress } : {}),
    log,
  });
  return { ready: server.url, close: () => server.close() };
});
