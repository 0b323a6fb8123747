/**
 * The proxy daemon as a real process against a kubeconfig: "ready <url>", /healthz once synced,
 * /metrics, forwarding, and the real EACCES for a port below 1024. As root the daemon runs as
 * the unprivileged user nobody, so that EACCES really happens; it is expected only while
 * net.ipv4.ip_unprivileged_port_start is above the port. Bad flags exit 2 naming the flag.
 */
import { spawn } from 'node:child_process';
import { chmodSync, chownSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import test, { type ExecutionContext } from 'ava';
import type { Event } from '../../../src/api/types.js';
import { writeKubeconfig } from '../../../src/bootstrap/kubeconfig.js';
import { httpGet } from '../../../src/util/http.js';
import { nodeArgv } from '../../../src/util/paths.js';
import { eventually } from '../../helpers/eventually.js';
import { tempDir } from '../../helpers/tmp.js';
import { backendAddresses, backendsPossible, createService, isRoot, putEndpoints, request, startBackend, startLab, subsetsOf } from './lab.js';

const SCRIPT = 'src/worker/proxy/main.ts';
const NOBODY = 65534;

interface Proc {
  ready: Promise<string>;
  exited: Promise<number | null>;
  output(): string;
  pid: number;
}

/** Starts the daemon (as uid when given); killed in teardown if still running. */
function spawnProxy(t: ExecutionContext, args: string[], uid?: number): Proc {
  const argv = nodeArgv(SCRIPT, args);
  const proc = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'], ...(uid !== undefined ? { uid, gid: uid } : {}) });
  let out = '';
  proc.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => proc.once('close', (code) => resolve(code)));
  t.teardown(async () => {
    if (proc.exitCode === null && proc.signalCode === null) {
      proc.kill('SIGKILL');
      await exited;
    }
  });
  const ready = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the proxy was not ready after 30 s:\n${out}`)), 30_000);
    createInterface({ input: proc.stdout! }).on('line', (line) => {
      out += line + '\n';
      if (line.startsWith('ready ')) {
        clearTimeout(timer);
        resolve(line.slice(6).trim());
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`the proxy exited with ${code} before it was ready:\n${out}`));
    });
  });
  ready.catch(() => {});
  return { ready, exited, output: () => out, pid: proc.pid! };
}

function unprivilegedPortStart(): number {
  try {
    return Number(readFileSync('/proc/sys/net/ipv4/ip_unprivileged_port_start', 'utf8').trim());
  } catch {
    return 1024;
  }
}

test('the daemon serves /healthz once synced, /metrics, forwards, and reports EACCES for a low port as a Warning Event', async (t) => {
  const token = 'proxy-daemon-test-token';
  const lab = await startLab(t, 41, token);
  const dir = tempDir(t);
  const kubeconfig = join(dir, 'kubeconfig');
  writeKubeconfig(kubeconfig, { cluster: 'proxy-test', server: lab.url, token });
  const uid = isRoot ? NOBODY : undefined;
  if (uid !== undefined) {
    // The unprivileged daemon must read its kubeconfig.
    chmodSync(dir, 0o755);
    chownSync(kubeconfig, uid, uid);
  }
  const low = await createService(lab, 'low', { ports: [{ port: 80 }] });
  const high = await createService(lab, 'high', { ports: [{ port: 18080 }] });
  if (backendsPossible) {
    const [ip] = await backendAddresses(t, 41, 1);
    const b1 = await startBackend(t, ip!, 'b1');
    await putEndpoints(lab, 'high', subsetsOf([b1]));
  }

  const p = spawnProxy(t, ['--kubeconfig', kubeconfig, '--node-name', 'w41', '--node-ip', '127.0.0.41', '--port', '0'], uid);
  const url = await p.ready;
  t.regex(url, /^http:\/\/127\.0\.0\.41:\d+$/);
  const health = await eventually(
    async () => {
      const r = await httpGet(`${url}/healthz`);
      if (r.status !== 200) throw new Error(`status ${r.status}; proxy output:\n${p.output()}`);
      return r;
    },
    { message: '/healthz answers 200', timeoutMs: 10_000 },
  );
  t.like(JSON.parse(health.body), { healthy: true });
  t.is((await httpGet(`${url}/proxyMode`)).body, 'userspace');
  const metrics = (await httpGet(`${url}/metrics`)).body;
  t.regex(metrics, /^kubelab_proxy_listeners\{state="listening"\} [12]$/m);
  t.regex(metrics, /^process_cpu_seconds_total /m);

  if (backendsPossible) t.is((await request(high.spec.clusterIP!, 18080)).name, 'b1');
  else t.log('forwarding not checked: no backend addresses the API server accepts (see lab.ts)');

  // The daemon runs unprivileged either way (as this user, or as nobody when this is root).
  const expectEacces = 80 < unprivilegedPortStart();
  if (expectEacces) {
    const ev = await eventually(
      async () => (await lab.client.resource<Event>('Event').list('default')).items.find((e) => e.reason === 'FailedToListen'),
      { message: 'a FailedToListen Event', timeoutMs: 10_000 },
    );
    t.like(ev, { type: 'Warning', involvedObject: { kind: 'Service', name: 'low' }, source: { component: 'kube-proxy', host: 'w41' } });
    t.regex(ev.message!, new RegExp(`${low.spec.clusterIP!.replace(/\./g, '\\.')}:80 .*permission denied.*ip_unprivileged_port_start`));
    t.regex(p.output(), /ERROR Cannot listen on .*:80 \(ClusterIP\) for service "default\/low": permission denied/);
    t.regex(metrics, /^kubelab_proxy_listeners\{state="failed"\} 1$/m);
  } else {
    t.log('EACCES not expected: port 80 may be opened by this process (root, or ip_unprivileged_port_start <= 80)');
  }

  process.kill(p.pid, 'SIGTERM');
  t.is(await p.exited, 0, p.output());
});

test('the daemon exits 2 on a bad flag, naming it', async (t) => {
  const p = spawnProxy(t, ['--kubeconfig', '/nonexistent', '--node-ip', 'not-an-ip']);
  t.is(await p.exited, 2);
  t.regex(p.output(), /error: --node-ip: "not-an-ip" is not an IPv4 address/);
});
