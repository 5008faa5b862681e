// client-go's kubeconfig loading rules, as far as the fakes need them: the explicit file, else every file
// of $KUBECONFIG merged (first file to set a value wins), else ~/.kube/config; then the current (or given)
// context's cluster server and namespace.

import path from 'node:path';
import YAML from 'yaml';
import { FakeExit, pathError } from './go-style.js';

/**
 * @param {{ explicitPath?: string, context?: string, env: NodeJS.ProcessEnv, fs: ReturnType<import('./fs-view.js').fsView> }} input
 * @returns {{ server: string, namespace: string }}
 */
export function loadKubeconfig({ explicitPath, context, env, fs }) {
  const config = mergedConfig(explicitPath, env, fs);
  const contextName = context || config.currentContext;
  const ctx = config.contexts.get(contextName ?? '');
  const cluster = ctx ? config.clusters.get(ctx.cluster ?? '') : undefined;
  if (!ctx || !cluster?.server) {
    if (config.files.length === 0) {
      throw new FakeExit(
        'clusterctl requires either a valid kubeconfig or in cluster config to connect to the management cluster: ' +
          '[invalid configuration: no configuration has been provided, try setting KUBERNETES_MASTER environment variable, ' +
          'unable to load in-cluster configuration, KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT must be defined]',
      );
    }
    throw new FakeExit(`failed to get context ${JSON.stringify(contextName ?? '')} from ${JSON.stringify(config.files.join(':'))}`);
  }
  return { server: String(cluster.server).replace(/\/+$/, ''), namespace: ctx.namespace || 'default' };
}

function mergedConfig(explicitPath, env, fs) {
  let candidates;
  if (explicitPath) {
    try {
      fs.stat(explicitPath);
    } catch (error) {
      throw new FakeExit(`failed to load Kubeconfig: ${pathError('stat', explicitPath, error)}`);
    }
    candidates = [explicitPath];
  } else if (env.KUBECONFIG) {
    candidates = env.KUBECONFIG.split(':').filter((p) => p.length > 0);
  } else {
    candidates = [path.join(env.HOME ?? '/root', '.kube', 'config')];
  }
  const merged = { currentContext: undefined, contexts: new Map(), clusters: new Map(), files: [] };
  for (const file of candidates) {
    if (!fs.exists(file)) continue;
    let doc;
    try {
      doc = YAML.parse(fs.readFile(file).toString('utf8')) ?? {};
    } catch (error) {
      throw new FakeExit(`failed to load Kubeconfig: error loading config file "${file}": ${String(error.message).split('\n')[0]}`);
    }
    merged.files.push(file);
    merged.currentContext ??= doc['current-context'] || undefined;
    for (const c of doc.contexts ?? []) if (!merged.contexts.has(c.name)) merged.contexts.set(c.name, c.context ?? {});
    for (const c of doc.clusters ?? []) if (!merged.clusters.has(c.name)) merged.clusters.set(c.name, c.cluster ?? {});
  }
  return merged;
}
