/**
 * The httpGet probe (pkg/probe/http): GET the URL with the probe's headers and a deadline.
 *
 * - 200-399 is success; 300-399 is a success with a warning ("Probe terminated redirects"),
 *   since it means a redirect the prober did not follow; anything else fails with
 *   "HTTP probe failed with statuscode: <code>" (never the body: Kubernetes keeps it out of
 *   events on purpose).
 * - Redirects to the same host are followed, up to 10; a redirect to another host is not (the
 *   kubelet's followNonLocalRedirects=false), which returns the 3xx and so the warning.
 * - User-Agent is "kube-probe/<major>.<minor>" and Accept "*\/*" unless the probe sets them (an
 *   empty Accept removes it); a Host header sets the request's host.
 * - No keep-alive: every probe opens its own connection, as the kubelet's transport does. HTTPS
 *   is spoken without checking the certificate, as the kubelet does.
 * - Errors become failures carrying Go's text ('Get "http://10.0.0.5:80/": dial tcp
 *   10.0.0.5:80: connect: connection refused'), so events read as they do on a real node.
 */
import { request, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { KUBELET_VERSION } from '../node/node-status.js';
import { goNetError, joinHostPort, type ProbeOutcome } from './types.js';

/** How much of a response body the prober reads (Kubernetes' maxRespBodyLength: 10 KiB). */
export const MAX_RESPONSE_BODY = 10 * 1024;
const MAX_REDIRECTS = 10;
const REDIRECT_CODES = new Set([301, 302, 303, 307, 308]);

/** "kube-probe/1.32": what the kubelet of our version sends. */
export const PROBE_USER_AGENT = `kube-probe/${/^v?(\d+\.\d+)/.exec(KUBELET_VERSION)?.[1] ?? '0.0'}`;

export interface HttpProbeRequest {
  url: URL;
  /** The probe's httpHeaders, in order; a name may repeat. */
  headers?: readonly { name: string; value: string }[];
  /** Deadline for the whole exchange, redirects included (the probe's timeoutSeconds). */
  timeoutMs: number;
  /** Aborts the probe (the worker stopping); the outcome is then a failure. */
  signal?: AbortSignal;
}

/** The request headers: the probe's, plus User-Agent and Accept defaults; and the Host override. */
export function probeHeaders(headers: readonly { name: string; value: string }[] = []): { headers: Record<string, string[]>; host?: string } {
  const out: Record<string, string[]> = {};
  const seen = new Map<string, string>();
  for (const h of headers) {
    const key = h.name.toLowerCase();
    const name = seen.get(key) ?? h.name;
    seen.set(key, name);
    (out[name] ??= []).push(h.value);
  }
  if (!seen.has('user-agent')) out['User-Agent'] = [PROBE_USER_AGENT];
  const accept = seen.get('accept');
  if (accept === undefined) out['Accept'] = ['*/*'];
  else if (out[accept]!.every((v) => v === '')) delete out[accept];
  const hostName = seen.get('host');
  const host = hostName !== undefined ? out[hostName]![0] : undefined;
  if (hostName !== undefined) delete out[hostName];
  return { headers: out, ...(host ? { host } : {}) };
}

/** Runs an httpGet probe; never throws: every problem is a failure with its text. */
export async function httpProbe(req: HttpProbeRequest): Promise<ProbeOutcome> {
  const { headers, host } = probeHeaders(req.headers);
  // One controller per probe for the deadline and the caller's signal (its listener removed after).
  const ac = new AbortController();
  const deadline = ac.signal;
  const timer = setTimeout(() => ac.abort(new Error('timeout')), req.timeoutMs);
  const onStop = () => ac.abort(req.signal!.reason);
  if (req.signal?.aborted) onStop();
  else req.signal?.addEventListener('abort', onStop, { once: true });
  let url = req.url;
  let gotHeaders = false;
  try {
    for (let redirects = 0; ; redirects++) {
      const res = await get(url, headers, host, deadline);
      gotHeaders = true;
      const location = res.headers.location;
      if (REDIRECT_CODES.has(res.statusCode ?? 0) && location) {
        const next = new URL(location, url);
        // Only redirects on the same host are followed (http.ErrUseLastResponse otherwise).
        if (next.hostname === req.url.hostname) {
          res.resume();
          // Go's client gives up when the 10th redirect is asked for.
          if (redirects + 1 >= MAX_REDIRECTS) return { result: 'failure', output: `Get "${next.href}": stopped after ${MAX_REDIRECTS} redirects` };
          url = next;
          gotHeaders = false;
          continue;
        }
      }
      const body = await readAtMost(res, MAX_RESPONSE_BODY);
      return outcomeOf(res.statusCode ?? 0, body);
    }
  } catch (err) {
    if (deadline.aborted && !req.signal?.aborted) {
      const when = gotHeaders ? '(Client.Timeout or context cancellation while reading body)' : '(Client.Timeout exceeded while awaiting headers)';
      return { result: 'failure', output: `Get "${url.href}": context deadline exceeded ${when}` };
    }
    const e = err as NodeJS.ErrnoException;
    const text = e.syscall === 'connect' || e.code === 'ECONNREFUSED' ? `dial tcp ${joinHostPort(url.hostname.replace(/^\[|\]$/g, ''), portOf(url))}: ${goNetError(e)}` : goNetError(e);
    return { result: 'failure', output: `Get "${url.href}": ${text}` };
  } finally {
    clearTimeout(timer);
    req.signal?.removeEventListener('abort', onStop);
  }
}

/** DoHTTPProbe's verdict on a status code and body. */
export function outcomeOf(statusCode: number, body: string): ProbeOutcome {
  if (statusCode >= 200 && statusCode < 400) {
    if (statusCode >= 300) return { result: 'warning', output: `Probe terminated redirects, Response body: ${body}` };
    return { result: 'success', output: body };
  }
  return { result: 'failure', output: `HTTP probe failed with statuscode: ${statusCode}` };
}

function portOf(url: URL): number {
  return url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
}

function get(url: URL, headers: Record<string, string[]>, host: string | undefined, signal: AbortSignal): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const o = { method: 'GET', headers: { ...headers, ...(host ? { Host: host } : {}) }, agent: false, signal } as const;
    // HTTPS probes do not verify the certificate, as the kubelet's (InsecureSkipVerify).
    const r = url.protocol === 'https:' ? httpsRequest(url, { ...o, rejectUnauthorized: false }, resolve) : request(url, o, resolve);
    r.once('error', reject);
    r.end();
  });
}

async function readAtMost(res: IncomingMessage, limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res as AsyncIterable<Buffer>) {
    chunks.push(chunk);
    size += chunk.length;
    // Truncation is not an error: the rest of the body is not needed for the verdict.
    if (size >= limit) {
      res.destroy();
      break;
    }
  }
  return Buffer.concat(chunks).subarray(0, limit).toString('utf8');
}
