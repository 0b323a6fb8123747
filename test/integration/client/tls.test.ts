import test from 'ava';
import { join } from 'node:path';
import { writeKubeconfig } from '../../../src/bootstrap/kubeconfig.js';
import { Client } from '../../../src/client/index.js';
import { createCA } from '../../../src/util/pki.js';
import { testApiServer } from '../../helpers/apiserver.js';
import { testPki } from '../../helpers/kubectl.js';
import { tempDir } from '../../helpers/tmp.js';

test('the client reaches an HTTPS API server through a kubeconfig with its CA and token', async (t) => {
  const { ca, serving } = testPki();
  const server = await testApiServer(t, { tls: serving, token: 'tok', requireAuth: true });
  const kc = join(tempDir(t), 'kubeconfig');
  writeKubeconfig(kc, { cluster: 'tls', server: server.url, token: 'tok', ca: ca.cert });
  const client = Client.fromKubeconfig(kc);
  t.teardown(() => client.close());
  const ns = await client.resource('Namespace').get('', 'default');
  t.is(ns.metadata.name, 'default');
  const other = new Client({ server: server.url, token: 'tok', ca: createCA('someone-else').cert });
  t.teardown(() => other.close());
  await t.throwsAsync(other.resource('Namespace').get('', 'default'), { message: /certificate/ });
  const anonymous = new Client({ server: server.url, ca: ca.cert });
  t.teardown(() => anonymous.close());
  await t.throwsAsync(anonymous.resource('Namespace').get('', 'default'), { message: /Unauthorized/ });
});
