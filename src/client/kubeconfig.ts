/**
 * Reads the kubeconfig a lab writes (src/bootstrap/kubeconfig.ts): the chosen context's
 * cluster server and user token, and its default namespace. Only the fields kubelab uses are
 * read; anything missing is reported with the file and the name that was looked up.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

/** What a kubeconfig context resolves to. */
export interface KubeconfigContext {
  /** Name of the context used. */
  context: string;
  /** clusters[].cluster.server, e.g. "http://127.0.0.1:6443". */
  server: string;
  /** users[].user.token (or the content of users[].user.tokenFile), when present. */
  token?: string;
  /** PEM of clusters[].cluster.certificate-authority-data (or the file certificate-authority). */
  ca?: string;
  /** contexts[].context.namespace, default "default". */
  namespace: string;
}

interface RawKubeconfig {
  'current-context'?: string;
  clusters?: { name?: string; cluster?: { server?: string; 'certificate-authority-data'?: string; 'certificate-authority'?: string } }[];
  users?: { name?: string; user?: { token?: string; tokenFile?: string } }[];
  contexts?: { name?: string; context?: { cluster?: string; user?: string; namespace?: string } }[];
}

/** Parses kubeconfig YAML text; path is only used in error messages. */
export function parseKubeconfig(text: string, path: string, context?: string): KubeconfigContext {
  let doc: RawKubeconfig;
  try {
    doc = (parse(text) ?? {}) as RawKubeconfig;
  } catch (err) {
    throw new Error(`Cannot read kubeconfig "${path}": ${(err as Error).message}`, { cause: err });
  }
  const ctxName = context ?? doc['current-context'];
  if (!ctxName) throw new Error(`Cannot read kubeconfig "${path}": no context given and no current-context set`);
  const ctx = doc.contexts?.find((c) => c.name === ctxName)?.context;
  if (!ctx) throw new Error(`Cannot read kubeconfig "${path}": context "${ctxName}" not found`);
  const cluster = doc.clusters?.find((c) => c.name === ctx.cluster)?.cluster;
  if (!cluster?.server) throw new Error(`Cannot read kubeconfig "${path}": cluster "${ctx.cluster ?? ''}" of context "${ctxName}" not found or has no server`);
  const out: KubeconfigContext = { context: ctxName, server: cluster.server, namespace: ctx.namespace || 'default' };
  if (cluster['certificate-authority-data']) out.ca = Buffer.from(cluster['certificate-authority-data'], 'base64').toString('utf8');
  else if (cluster['certificate-authority']) {
    try {
      out.ca = readFileSync(cluster['certificate-authority'], 'utf8');
    } catch (err) {
      throw new Error(`Cannot read kubeconfig "${path}": certificate-authority "${cluster['certificate-authority']}": ${(err as Error).message}`, { cause: err });
    }
  }
  if (ctx.user) {
    const user = doc.users?.find((u) => u.name === ctx.user)?.user;
    if (!user) throw new Error(`Cannot read kubeconfig "${path}": user "${ctx.user}" of context "${ctxName}" not found`);
    if (user.token) out.token = user.token;
    else if (user.tokenFile) {
      try {
        out.token = readFileSync(user.tokenFile, 'utf8').trim();
      } catch (err) {
        throw new Error(`Cannot read kubeconfig "${path}": tokenFile "${user.tokenFile}" of user "${ctx.user}": ${(err as Error).message}`, { cause: err });
      }
    }
  }
  return out;
}

/** Reads and parses the kubeconfig file at path. */
export function loadKubeconfig(path: string, context?: string): KubeconfigContext {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new Error(`Cannot read kubeconfig "${path}": ${(err as Error).message}`, { cause: err });
  }
  return parseKubeconfig(text, path, context);
}
