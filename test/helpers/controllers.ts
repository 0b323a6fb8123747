/**
 * A controller manager in the test's own process against a test API server, with the chosen
 * controllers and timings, on a free loopback port; it has synced its caches when this resolves
 * and is closed in teardown even when the test fails.
 */
import type { ExecutionContext } from 'ava';
import { Client } from '../../src/client/rest.js';
import { startControllerManager, type ControllerManager, type ControllerManagerOptions } from '../../src/control/controllers/manager.js';

export interface TestControllersOptions extends Omit<ControllerManagerOptions, 'client' | 'kubeconfig'> {
  /** The API server: its url (plain HTTP, no token) ... */
  server?: { url: string };
  /** ... or a client (e.g. Client.fromKubeconfig for an HTTPS lab). */
  client?: Client;
}

export async function startTestControllers(t: ExecutionContext, o: TestControllersOptions): Promise<ControllerManager & { client: Client }> {
  const { server, client: given, ...rest } = o;
  if (!server && !given) throw new TypeError('startTestControllers needs server or client');
  const client = given ?? new Client({ server: server!.url });
  if (!given) t.teardown(() => client.close());
  const cm = await startControllerManager({ port: 0, concurrentWorkers: 2, ...rest, client });
  t.teardown(() => cm.close());
  if (!(await cm.synced)) throw new Error('the controller manager closed before its caches synced');
  return Object.assign(cm, { client });
}
