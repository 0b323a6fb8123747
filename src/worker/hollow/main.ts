/**
 * The hollow-node daemon: `node src/worker/hollow/main.ts --kubeconfig FILE --nodes 5000 ...`.
 * Bad flags exit 2 naming the flag; prints "ready <admin url>" once every node is registered.
 */
import { Client } from '../../client/rest.js';
import { parseFlags, runDaemon } from '../../util/daemon.js';
import { FlagError } from '../kubelet/flags.js';
import { startAdminServer } from './admin.js';
import { hollowCommand, hollowConfigFromFlags, type HollowCliConfig, type HollowFlags } from './cli.js';
import { startHollowNodes } from './hollow.js';

const flags = parseFlags<HollowFlags>(hollowCommand());
let cfg: HollowCliConfig;
try {
  cfg = hollowConfigFromFlags(flags);
} catch (err) {
  if (!(err instanceof FlagError)) throw err;
  process.stderr.write(`error: ${err.message}\n`);
  process.exit(2);
}
let client: Client;
try {
  // One client for every node; its socket pool is what bounds the process's API concurrency.
  client = Client.fromKubeconfig(cfg.kubeconfig, undefined, { userAgent: 'kubelab-hollow-nodes', maxSockets: 64 });
} catch (err) {
  process.stderr.write(`error: invalid value for --kubeconfig: ${(err as Error).message}\n`);
  process.exit(2);
}

await runDaemon('hollow-nodes', cfg.verbosity, async (log) => {
  const hollow = await startHollowNodes({ ...cfg.options, client, log });
  const admin = await startAdminServer(hollow, cfg.address, cfg.port, log);
  log.info('serving the admin API', { url: admin.url, nodes: cfg.options.count });
  return {
    ready: admin.url,
    close: async () => {
      await admin.close();
      await hollow.close();
      client.close();
    },
  };
});
