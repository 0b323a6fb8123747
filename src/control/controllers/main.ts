/**
 * kube-controller-manager's counterpart: `node src/control/controllers/main.ts --kubeconfig FILE
 * [--controllers=*] [--node-monitor-grace-period=40s] ...`. Flags and defaults follow
 * kube-controller-manager; the lab's bring-up passes faster timings. Prints "ready <url>" (the
 * /healthz and /metrics endpoint) once serving; exits 2 on bad usage.
 */
import { Command, Option } from 'commander';
import { parseFlags, runDaemon } from '../../util/daemon.js';
import { optionsFromFlags, UsageError, type ControllerManagerFlags } from './flags.js';
import { CONTROLLERS, startControllerManager } from './manager.js';

interface Flags extends ControllerManagerFlags, Record<string, unknown> {
  v: string;
}

const cmd = new Command('controller-manager')
  .description('The kubelab controller manager: endpoints, garbage collector, namespace, node lifecycle, taint eviction and workload controllers.')
  .requiredOption('--kubeconfig <path>', 'kubeconfig of the API server (its current context)')
  .option('--controllers <list>', `controllers to run: "*" for all, a name to enable, "-name" to disable (${CONTROLLERS.map((c) => c.name).join(', ')})`, '*')
  .option('--concurrent-workers <n>', 'workers per controller queue', '5')
  .option('--bind-address <ip>', 'address of /healthz and /metrics', '127.0.0.1')
  .option('--port <n>', 'port of /healthz and /metrics on --bind-address (0 picks one)', '10257')
  .option('--node-monitor-period <duration>', 'how often node health is checked', '5s')
  .option('--node-monitor-grace-period <duration>', 'silence after which a node is marked Unknown', '40s')
  .option('--node-startup-grace-period <duration>', 'time a new node has to post Ready before it is marked Unknown', '60s')
  .option('--node-eviction-rate <rate>', 'nodes per second per zone that get a NoExecute taint', '0.1')
  .option('--secondary-node-eviction-rate <rate>', 'the same in a partially disrupted large zone', '0.01')
  .option('--large-cluster-size-threshold <n>', 'nodes above which a zone counts as large', '50')
  .option('--unhealthy-zone-threshold <fraction>', 'share of not-ready nodes (at least 3) that disrupts a zone', '0.55')
  .option('--endpoint-updates-batch-period <duration>', 'delay that batches pod-triggered endpoint updates', '0s')
  .option('--allocate-node-cidrs', 'give every node a pod CIDR from --cluster-cidr', false)
  .option('--cluster-cidr <cidr>', 'range of pod addresses, split into node blocks', '')
  .option('--node-cidr-mask-size <n>', 'prefix length of each node\'s pod CIDR', '24')
  .option('--kube-api-qps <qps>', 'client-side limit of requests per second to the API server', '20')
  .option('--kube-api-burst <n>', 'burst of the client-side limit', '30')
  .addOption(new Option('-v <level>', 'log verbosity').default('0'));

const f = parseFlags<Flags>(cmd);
let options;
try {
  options = optionsFromFlags(f);
} catch (err) {
  if (!(err instanceof UsageError)) throw err;
  process.stderr.write(`error: ${err.message}\n`);
  process.exit(2);
}
await runDaemon('controller-manager', Number(f.v), async (log) => {
  const cm = await startControllerManager({ ...options, log });
  return { ready: cm.url, close: () => cm.close() };
});
