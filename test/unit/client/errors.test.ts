import test from 'ava';
import { StatusError } from '../../../src/api/errors.js';
import { kubeconfigYaml } from '../../../src/bootstrap/kubeconfig.js';
import { errorOfResponse, isAlreadyExists, isConflict, isGone, isInvalid, isNotFound, networkError } from '../../../src/client/errors.js';
import { parseKubeconfig } from '../../../src/client/kubeconfig.js';

test('a Status body becomes the StatusError the server sent', (t) => {
  const body = JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', reason: 'AlreadyExists', code: 409, message: 'pods "a" already exists', details: { name: 'a', kind: 'pods' } });
  const e = errorOfResponse('POST', 'http://x/api/v1/namespaces/d/pods', 409, body);
  t.true(e instanceof StatusError);
  t.is(e.message, 'pods "a" already exists');
  t.deepEqual(e.status.details, { name: 'a', kind: 'pods' });
  t.true(isAlreadyExists(e));
  t.false(isConflict(e), 'AlreadyExists and Conflict share 409 but not the reason');
});

test('a non-Status error body is synthesized from the status code and quoted', (t) => {
  const e = errorOfResponse('GET', 'http://x/healthz', 404, '<html>nope</html>');
  t.is(e.code, 404);
  t.true(isNotFound(e));
  t.is(e.message, 'the server responded with status code 404 to GET http://x/healthz: "<html>nope</html>"');
  const g = errorOfResponse('GET', 'http://x/a', 410, '');
  t.true(isGone(g));
  t.regex(g.message, /and no body$/);
  t.is(errorOfResponse('GET', 'http://x/a', 418, '').reason, 'Unknown');
  t.true(isInvalid(errorOfResponse('PUT', 'http://x/a', 422, 'bad')));
});

test('reason helpers are false for non-Status errors', (t) => {
  const e = networkError('GET', 'http://127.0.0.1:1/api', Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }));
  t.is(e.message, 'GET http://127.0.0.1:1/api failed: connect ECONNREFUSED 127.0.0.1:1');
  t.is((e.cause as Error).message, 'connect ECONNREFUSED 127.0.0.1:1');
  for (const f of [isNotFound, isConflict, isAlreadyExists, isGone, isInvalid]) t.false(f(e));
});

test('parseKubeconfig reads the server and token of the kubeconfig the lab writes', (t) => {
  const text = kubeconfigYaml({ cluster: 'dev', server: 'http://10.0.0.2:6443', token: 's3cret' });
  t.deepEqual(parseKubeconfig(text, 'k.yaml'), { context: 'kubelab-dev', server: 'http://10.0.0.2:6443', token: 's3cret', namespace: 'default' });
});

test('parseKubeconfig names the file and what is missing', (t) => {
  const text = kubeconfigYaml({ cluster: 'dev', server: 'http://10.0.0.2:6443', token: 's' });
  t.throws(() => parseKubeconfig(text, 'k.yaml', 'other'), { message: 'Cannot read kubeconfig "k.yaml": context "other" not found' });
  t.throws(() => parseKubeconfig('apiVersion: v1\n', 'k.yaml'), { message: /"k.yaml": no context given and no current-context set/ });
  t.throws(() => parseKubeconfig('a: [', 'k.yaml'), { message: /^Cannot read kubeconfig "k.yaml": / });
});
