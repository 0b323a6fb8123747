/**
 * The kubelet's log server: GET /containerLogs/<namespace>/<pod>/<container>, behind the API
 * server's pods/log (`kubectl logs [-c C] [--tail N] [-f] [--previous] [--timestamps]
 * [--since D] [--limit-bytes N]`).
 *
 * - server.ts: the route (pod and container lookup, authentication, streaming).
 * - options.ts: the query (v1.PodLogOptions) and its checks.
 * - container-choice.ts: which container a request means (current, or the previous attempt).
 * - format.ts: since, timestamps and limitBytes as the kubelet writes lines back.
 */
export { containerLogsHandler, sendStatus, CONTAINER_LOGS_PATH, type ContainerLogsOptions } from './server.js';
export { parseLogRequest, LogRequestError, type LogRequest } from './options.js';
export { logContainerId } from './container-choice.js';
export { LogWriter, writeLogs, rfc3339Nano, runtimeLogOptions } from './format.js';
