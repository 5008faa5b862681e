// Upgrades the server finishes on its own: since EKS-A v0.18 the cluster controller keeps rolling the
// cluster after the CLI has applied the spec and exited. The fake eksctl starts one with
// `POST /__sim/upgrades {"cluster": NAME, "durationMs": N}`; `GET /__sim/upgrades` shows their progress.
import { storeApi } from './api.js';
import { driveUpgrade, EKSA_CLUSTER } from './drive.js';
import { DEFAULT_UPGRADE_DURATION_MS } from '../eksctl/config.js';

class RequestError extends Error {
  constructor(message, code) {
    super(message);
    this.code = code;
  }
}

/** @param {import('../store.js').ObjectStore} store */
export function startAsyncUpgrades(store) {
  const api = storeApi(store);
  /** @type {Map<string, { cluster: string, namespace: string, state: string, applied: number, total: number, startedAt: string, error?: string, abort: AbortController }>} */
  const runs = new Map();
  return {
    /** @param {{ cluster?: unknown, namespace?: unknown, durationMs?: unknown, until?: unknown }} body */
    start(body) {
      const { cluster, namespace = 'default', durationMs = DEFAULT_UPGRADE_DURATION_MS, until = 'end', ...rest } = body;
      if (Object.keys(rest).length) throw new RequestError(`unknown field(s) ${Object.keys(rest).join(', ')}`, 400);
      if (typeof cluster !== 'string' || typeof namespace !== 'string') throw new RequestError('cluster (and namespace) must be strings', 400);
      if (!Number.isInteger(durationMs) || durationMs < 0) throw new RequestError('durationMs must be a whole number >= 0', 400);
      if (until !== 'end' && until !== 'midpoint') throw new RequestError('until must be end or midpoint', 400);
      if (!store.get(EKSA_CLUSTER, namespace, cluster)) throw new RequestError(`clusters.anywhere.eks.amazonaws.com "${cluster}" not found`, 404);
      const key = `${namespace}/${cluster}`;
      runs.get(key)?.abort.abort();
      const run = { cluster, namespace, state: 'running', applied: 0, total: 0, startedAt: new Date().toISOString(), abort: new AbortController() };
      runs.set(key, run);
      driveUpgrade(api, {
        name: cluster, namespace, durationMs, until, signal: run.abort.signal,
        onStep: (_label, index, total) => Object.assign(run, { applied: index + 1, total }),
      }).then(
        () => { run.state = 'done'; },
        (error) => {
          run.state = run.abort.signal.aborted ? 'aborted' : 'failed';
          if (!run.abort.signal.aborted) run.error = error.message;
        },
      );
      const { abort, ...shown } = run;
      return shown;
    },
    list: () => [...runs.values()].map(({ abort, ...shown }) => shown),
    stop() {
      for (const run of runs.values()) run.abort.abort();
    },
  };
}
