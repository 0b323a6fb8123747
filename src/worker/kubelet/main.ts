/**
 * The kubelet daemon: `node src/worker/kubelet/main.ts --kubeconfig FILE --node-name w1 ...`.
 * Bad flags exit 2 naming the flag; prints "ready <url>" once registered and serving.
 */
import { Client } from '../../client/rest.js';
import { systemClock } from '../../util/clock.js';
import { parseFlags, readSecret, runDaemon } from '../../util/daemon.js';
import { kubeletCommand, kubeletConfigFromFlags, type KubeletCliConfig, type KubeletFlags } from './cli.js';
import { FlagError } from './flags.js';
import { startKubelet } from './kubelet.js';
import { createRuntime } from './runtimes/registry.js';

const flags = parseFlags<KubeletFlags>(kubeletCommand());
let cfg: KubeletCliConfig;
try {
  cfg = kubeletConfigFromFlags(flags);
} catch (err) {
  if (!(err instanceof FlagError)) throw err;
  process.stderr.write(`error: ${err.message}\n`);
  process.exit(2);
}

let authenticationToken: string | undefined;
if (cfg.authenticationTokenFile !== undefined) {
  try {
    authenticationToken = readSecret(cfg.authenticationTokenFile);
    if (!authenticationToken) throw new Error('the file is empty');
  } catch (err) {
    process.stderr.write(`error: invalid value for --authentication-token-file: ${(err as Error).message}\n`);
    process.exit(2);
  }
}

let client: Client;
try {
  client = Client.fromKubeconfig(cfg.kubeconfig, undefined, { userAgent: `kubelet/${cfg.options.nodeName}` });
} catch (err) {
  process.stderr.write(`error: invalid value for --kubeconfig: ${(err as Error).message}\n`);
  process.exit(2);
}

await runDaemon('kubelet', cfg.verbosity, async (log) => {
  const runtime = await createRuntime(cfg.runtime, {
    nodeName: cfg.options.nodeName,
    nodeIP: cfg.options.nodeIP,
    ...(cfg.options.podCIDR ? { podCIDR: cfg.options.podCIDR } : {}),
    ...(cfg.rootDir ? { rootDir: cfg.rootDir } : {}),
    ...(cfg.labName ? { lab: cfg.labName } : {}),
    ...(cfg.network ? { network: cfg.network } : {}),
    fakeStartDelayMs: cfg.fakeStartDelayMs,
    clock: systemClock,
    log: log.child('runtime'),
  });
  const kubelet = await startKubelet({ ...cfg.options, client, runtime, log, ...(authenticationToken ? { authenticationToken } : {}) });
  return {
    ready: kubelet.url,
    close: async () => {
      await kubelet.close();
      await runtime.close();
      client.close();
    },
  };
});
