// Reading Clusters and ClusterClasses and setting their pause state, as mover.go does it
// (setClusterPause / setClusterClassPause / getClusterObj).

import { PAUSED_ANNOTATION } from './provisioning.js';
import { KubeError, READ_BACKOFF, WRITE_BACKOFF, retry } from './kube-client.js';

/** The API type of a Cluster API kind on this server, or an error like the REST mapper's. */
export function typeFor(types, group, kind, apiVersion) {
  const type = types.get(`${group}/${kind}`);
  if (!type) throw new KubeError(`no matches for kind ${JSON.stringify(kind)} in version ${JSON.stringify(apiVersion)}`);
  return type;
}

export async function readCluster(client, types, node, { retried = true } = {}) {
  const read = async () => {
    try {
      return await client.get(typeFor(types, node.group, 'Cluster', node.apiVersion), node.namespace, node.name);
    } catch (error) {
      throw new KubeError(`error reading Cluster ${node.namespace}/${node.name}: ${error.message}`, error.status);
    }
  };
  return retried ? retry(READ_BACKOFF, read) : read();
}

export async function readClusterClass(client, types, node) {
  try {
    return await client.get(typeFor(types, node.group, 'ClusterClass', node.apiVersion), node.namespace, node.name);
  } catch (error) {
    throw new KubeError(`error reading ClusterClass ${node.namespace}/${node.name}: ${error.message}`, error.status);
  }
}

/** Pause: merge patch `{"spec":{"paused":true}}`; resume: `{"spec":{"paused":null}}` so the field is dropped. */
export async function setClusterPause(client, types, clusters, paused) {
  for (const node of clusters) {
    try {
      await retry(WRITE_BACKOFF, async () => {
        const type = typeFor(types, node.group, 'Cluster', node.apiVersion);
        try {
          await client.get(type, node.namespace, node.name);
        } catch (error) {
          throw new KubeError(`error reading Cluster ${node.namespace}/${node.name}: ${error.message}`, error.status);
        }
        try {
          await client.mergePatch(type, node.namespace, node.name, { spec: { paused: paused ? true : null } });
        } catch (error) {
          throw new KubeError(`error patching Cluster ${node.namespace}/${node.name}: ${error.message}`, error.status);
        }
      });
    } catch (error) {
      throw new KubeError(`error setting Cluster.Spec.Paused=${paused}: ${error.message}`);
    }
  }
}

export async function setClusterClassPause(client, types, classes, paused) {
  for (const node of classes) {
    try {
      await retry(WRITE_BACKOFF, async () => {
        const type = typeFor(types, node.group, 'ClusterClass', node.apiVersion);
        await readClusterClass(client, types, node);
        await client.mergePatch(type, node.namespace, node.name, {
          metadata: { annotations: { [PAUSED_ANNOTATION]: paused ? '' : null } },
        });
      });
    } catch (error) {
      throw new KubeError(
        `error ${paused ? 'pausing' : 'resuming'} ClusterClasses: error updating ClusterClass ${node.namespace}/${node.name}: ${error.message}`,
      );
    }
  }
}
