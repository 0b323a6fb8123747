import test from 'ava';
import { http, testApiServer } from '../../helpers/apiserver.js';

const CMS = '/api/v1/namespaces/default/configmaps';
const DEPLOYS = '/apis/apps/v1/namespaces/default/deployments';

async function revision(url: string): Promise<string> {
  return (await http(url, 'GET', CMS)).body.metadata.resourceVersion;
}

test('invalid objects get 422 Invalid naming the field, and nothing is written', async (t) => {
  const s = await testApiServer(t);
  const before = await revision(s.url);
  const res = await http(s.url, 'POST', DEPLOYS, {
    body: {
      metadata: { name: 'web' },
      spec: {
        replicas: -1,
        selector: { matchLabels: { app: 'web' } },
        template: { metadata: { labels: { app: 'other' } }, spec: { containers: [{ name: 'web', image: 'nginx' }] } },
      },
    },
  });
  t.is(res.status, 422);
  t.is(res.body.reason, 'Invalid');
  t.regex(res.body.message, /^Deployment\.apps "web" is invalid: /);
  const fields = res.body.details.causes.map((c: { field: string }) => c.field);
  t.true(fields.includes('spec.replicas'), fields.join());
  t.true(fields.includes('spec.template.metadata.labels'), fields.join());
  t.is(await revision(s.url), before);
  const badName = await http(s.url, 'POST', CMS, { body: { metadata: { name: 'Not_A_Name' } } });
  t.is(badName.status, 422);
  t.is(badName.body.details.causes[0].field, 'metadata.name');
});

test('malformed JSON and YAML are 400 BadRequest saying where', async (t) => {
  const s = await testApiServer(t);
  const json = await http(s.url, 'POST', CMS, { raw: '{"metadata": {"name": "x"},\n  "data": {oops}}' });
  t.is(json.status, 400);
  t.is(json.body.reason, 'BadRequest');
  t.regex(json.body.message, /line 2/);
  const yaml = await http(s.url, 'POST', CMS, { raw: 'metadata:\n  name: x\n data: [', contentType: 'application/yaml' });
  t.is(yaml.status, 400);
  t.regex(yaml.body.message, /line \d/);
  const good = await http(s.url, 'POST', CMS, { raw: 'metadata:\n  name: from-yaml\ndata:\n  k: v\n', contentType: 'application/yaml' });
  t.is(good.status, 201);
  t.is(good.body.data.k, 'v');
});

test('a body over the size limit is 413 and is not written', async (t) => {
  const s = await testApiServer(t);
  const before = await revision(s.url);
  const res = await http(s.url, 'POST', CMS, { body: { metadata: { name: 'big' }, data: { blob: 'x'.repeat(4 * 1024 * 1024) } } });
  t.is(res.status, 413);
  t.is(res.body.reason, 'RequestEntityTooLarge');
  t.is(await revision(s.url), before);
});

test('a body of the wrong kind or apiVersion is 400', async (t) => {
  const s = await testApiServer(t);
  const res = await http(s.url, 'POST', CMS, { body: { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'x' } } });
  t.is(res.status, 400);
  t.regex(res.body.message, /kind/);
  const ver = await http(s.url, 'POST', DEPLOYS, { body: { apiVersion: 'extensions/v1beta1', kind: 'Deployment', metadata: { name: 'x' } } });
  t.is(ver.status, 400);
  t.regex(ver.body.message, /API version in the data \(extensions\/v1beta1\)/);
});

test('fieldValidation=Strict rejects unknown fields, Warn answers with a Warning header', async (t) => {
  const s = await testApiServer(t);
  const body = { metadata: { name: 'typo' }, dataa: { k: 'v' } };
  const strict = await http(s.url, 'POST', `${CMS}?fieldValidation=Strict`, { body });
  t.is(strict.status, 400);
  t.regex(strict.body.message, /strict decoding error: unknown field "dataa"/);
  t.is((await http(s.url, 'GET', `${CMS}/typo`)).status, 404);
  const warn = await http(s.url, 'POST', `${CMS}?fieldValidation=Warn`, { body });
  t.is(warn.status, 201);
  t.regex(warn.headers.get('warning') ?? '', /unknown field \\"dataa\\"/);
});

test('bad query parameters are 400 naming the parameter', async (t) => {
  const s = await testApiServer(t);
  t.regex((await http(s.url, 'GET', `${CMS}?labelSelector=app%20in%20(`)).body.message, /unable to parse requirement|parse/);
  const field = await http(s.url, 'GET', `${CMS}?fieldSelector=spec.nodeName%3Dx`);
  t.is(field.status, 400);
  t.is(field.body.message, '"spec.nodeName" is not a known field selector: only "metadata.name", "metadata.namespace"');
  t.is((await http(s.url, 'GET', `${CMS}?limit=abc`)).status, 400);
  t.is((await http(s.url, 'GET', `${CMS}?continue=garbage`)).status, 400);
  t.is((await http(s.url, 'GET', `${CMS}?watch=1&resourceVersion=abc`)).status, 400);
});

test('unknown paths and methods get Kubernetes-shaped errors', async (t) => {
  const s = await testApiServer(t);
  const unknown = await http(s.url, 'GET', '/api/v1/namespaces/default/secrets');
  t.is(unknown.status, 404);
  t.is(unknown.body.kind, 'Status');
  const sub = await http(s.url, 'GET', '/api/v1/namespaces/default/configmaps/x/scale');
  t.is(sub.status, 404);
});
