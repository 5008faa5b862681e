// `clusterctl move --to-directory`: discovery → provisioning check → (v1.12+) paused refusal → pause →
// one JSON file per object → resume. A failure after the pause leaves the Clusters paused, as the real one does.

import path from 'node:path';
import { FakeExit, aggregate, goJSON, gvkString, pathError } from './go-style.js';
import { KubeError, READ_BACKOFF, WRITE_BACKOFF, retry } from './kube-client.js';
import { ObjectGraph, filenameOf } from './object-graph.js';
import { pausedClusterClasses, pausedClusters, provisioningErrors } from './provisioning.js';
import { readCluster, readClusterClass, setClusterClassPause, setClusterPause } from './cluster-pause.js';

const SERVER_TIMEOUT = 'the server was unable to return a response in the time allotted, but may still be processing the request';

export async function moveTypes(client) {
  try {
    return await retry(READ_BACKOFF, async () => {
      try {
        return await client.moveTypes();
      } catch (error) {
        throw new KubeError(`failed to get the list of CRDs required for the move discovery phase: ${error.message}`);
      }
    });
  } catch (error) {
    throw new KubeError(`failed to retrieve discovery types: ${error.message}`);
  }
}

async function discover(client, types, namespace, clusterName, faults, log) {
  log('Discovering Cluster API objects');
  const graph = new ObjectGraph(types);
  for (const type of types.values()) {
    const listGvk = JSON.stringify(gvkString(type.group ? `${type.group}/${type.version}` : type.version, `${type.kind}List`));
    if (faults.failWhenUnfiltered && !clusterName) {
      throw new KubeError(
        `action failed after ${READ_BACKOFF.steps} attempts: failed to list ${listGvk} resources: ${SERVER_TIMEOUT} (get ${type.resource}${type.group ? `.${type.group}` : ''})`,
      );
    }
    const items = await retry(READ_BACKOFF, async () => {
      try {
        return await client.list(type, namespace);
      } catch (error) {
        if (error.status === 404) return [];
        throw new KubeError(`failed to list ${listGvk} resources: ${error.message}`, error.status);
      }
    });
    for (const item of items) graph.add(item);
  }
  graph.setSoftOwnership();
  graph.setTenants();
  if (clusterName) {
    const filterError = graph.filterCluster(clusterName);
    if (filterError) throw new KubeError(filterError);
  }
  return graph;
}

/** checkProvisioningCompleted: fresh reads of every Cluster and Machine of the graph. */
async function checkProvisioningCompleted(client, types, graph, behaviour) {
  const clusters = [];
  for (const node of graph.clusters()) clusters.push(await readCluster(client, types, node));
  const machines = [];
  for (const node of graph.machines()) {
    machines.push(
      await retry(READ_BACKOFF, async () => {
        try {
          return await client.get(types.get(`${node.group}/Machine`), node.namespace, node.name);
        } catch (error) {
          throw new KubeError(`error reading Machine ${node.namespace}/${node.name}: ${error.message}`);
        }
      }),
    );
  }
  const problems = provisioningErrors(clusters, machines, behaviour);
  if (problems.length > 0) throw new KubeError(aggregate(problems));
}

/**
 * @param {{ client: import('./kube-client.js').KubeClient, fs: any, namespace: string, directory: string,
 *   clusterName: string, behaviour: ReturnType<import('./clusterctl-version.js').behaviourOf>,
 *   faults: ReturnType<import('./sim-env.js').clusterctlScenario>, log: (line: string) => void }} input
 */
export async function toDirectory({ client, fs, namespace, directory, clusterName, behaviour, faults, log }) {
  log('Moving to directory...');
  let types;
  let graph;
  try {
    types = await moveTypes(client);
    try {
      graph = await discover(client, types, namespace, clusterName, faults, log);
    } catch (error) {
      throw new KubeError(`failed to discover the object graph: ${error.message}`);
    }
    try {
      await checkProvisioningCompleted(client, types, graph, behaviour);
    } catch (error) {
      throw new KubeError(`failed to check for provisioned infrastructure: ${error.message}`);
    }
  } catch (error) {
    throw new FakeExit(`failed to get object graph: ${error.message}`);
  }

  const clusters = graph.clusters();
  const classes = graph.clusterClasses();
  try {
    if (behaviour.refusesPaused) {
      const current = [];
      for (const node of clusters) current.push(await readCluster(client, types, node, { retried: false }));
      const paused = pausedClusters(current);
      if (paused.length > 0) throw new KubeError(`cannot start operation while the following Clusters are paused: ${paused.join(', ')}`);
    }
    log(`Starting move of Cluster API objects Clusters=${clusters.length}`);
    if (behaviour.refusesPaused) {
      const current = [];
      for (const node of classes) current.push(await readClusterClass(client, types, node));
      const paused = pausedClusterClasses(current);
      if (paused.length > 0) {
        throw new KubeError(`cannot start operation while the following ClusterClasses are paused: ${paused.join(', ')}`);
      }
    }
    log(`Moving Cluster API objects ClusterClasses=${classes.length}`);

    await setClusterPause(client, types, clusters, true);
    await setClusterClassPause(client, types, classes, true);

    const groups = graph.moveSequence();
    if (faults.failAfterPause) {
      const first = groups[0]?.[0] ?? clusters[0];
      const what = first ? `${JSON.stringify(gvkString(first.apiVersion, first.kind))} ${first.namespace}/${first.name}` : 'objects';
      throw new KubeError(`action failed after ${WRITE_BACKOFF.steps} attempts: error reading ${what}: ${SERVER_TIMEOUT}`);
    }

    log(`Saving files to ${directory}`);
    let written = 0;
    for (const group of groups) {
      const errors = [];
      for (const node of group) {
        try {
          await retry(WRITE_BACKOFF, () => backupObject(client, types, fs, node, directory, faults, written));
          written++;
        } catch (error) {
          errors.push(error.message);
        }
      }
      if (errors.length > 0) throw new KubeError(aggregate(errors));
    }

    await setClusterClassPause(client, types, classes, false);
    await setClusterPause(client, types, clusters, false);
  } catch (error) {
    throw new FakeExit(error.message);
  }
}

/** backupTargetObject: a fresh GET (so a Cluster is saved with spec.paused: true), JSON, mode 0600. */
async function backupObject(client, types, fs, node, directory, faults, written) {
  const type = node.group ? types.get(`${node.group}/${node.kind}`) : types.get(`/${node.kind}`);
  let obj;
  try {
    obj = await client.get(type, node.namespace, node.name, node.apiVersion.split('/').pop());
  } catch (error) {
    throw new KubeError(`error reading ${JSON.stringify(gvkString(node.apiVersion, node.kind))} ${node.namespace}/${node.name}: ${error.message}`);
  }
  const file = path.join(directory, filenameOf(node));
  if (faults.failAfterFiles !== undefined && written >= faults.failAfterFiles) {
    throw new KubeError(pathError('open', file, { code: 'ENOSPC' }));
  }
  if (fs.exists(file)) fs.unlink(file);
  try {
    fs.writeFile(file, goJSON(obj), 0o600);
  } catch (error) {
    throw new KubeError(pathError('open', file, error));
  }
}
