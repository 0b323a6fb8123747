import test from 'ava';
import { parseRequestCounts, requestDelta } from '../../../src/bench/request-counts.js';

const exposition = (n: number) => `# HELP apiserver_request_total Requests by verb, resource, subresource and HTTP code.
# TYPE apiserver_request_total counter
apiserver_request_total{verb="create",resource="pods",subresource="",code="201"} ${n}
apiserver_request_total{verb="create",resource="pods",subresource="",code="409"} 2
apiserver_request_total{verb="create",resource="pods",subresource="binding",code="201"} ${n}
apiserver_request_total{verb="update",resource="leases",subresource="",code="200"} 7
apiserver_request_duration_seconds_bucket{verb="create",resource="pods",subresource="",le="0.001"} 99
`;

test('request counts are summed over codes and keyed by verb, resource and subresource', (t) => {
  t.deepEqual(parseRequestCounts(exposition(10)), { 'create pods': 12, 'create pods/binding': 10, 'update leases': 7 });
});

test('the delta drops what did not move and divides by the pod count', (t) => {
  const d = requestDelta(parseRequestCounts(exposition(10)), parseRequestCounts(exposition(30)), 20);
  t.deepEqual(d, { 'create pods': 1, 'create pods/binding': 1 });
});

test('lines that are not request counters, and malformed values, are ignored', (t) => {
  t.deepEqual(parseRequestCounts('apiserver_request_total{verb="get",resource="nodes",subresource="",code="200"} NaN\nfoo 1\n'), {});
});
