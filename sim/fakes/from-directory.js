// `clusterctl move --from-directory`: every file of the directory joined as YAML documents, the graph rebuilt
// from the UIDs in the files, objects created in owner order (existing ones skipped, never updated), then every
// Cluster of the graph resumed with `{"spec":{"paused":null}}`.

import path from 'node:path';
import YAML from 'yaml';
import { FakeExit, aggregate, gvkString, ordinalize, pathError } from './go-style.js';
import { CORE_TYPES, KubeError, WRITE_BACKOFF, retry } from './kube-client.js';
import { ObjectGraph } from './object-graph.js';
import { moveTypes } from './to-directory.js';
import { setClusterClassPause, setClusterPause, typeFor } from './cluster-pause.js';

/** filesToObjs + util/yaml JoinYaml/ToUnstructured. Exported for tests. */
export function filesToObjects(fs, directory) {
  const raw = [];
  for (const name of fs.readdir(directory)) {
    const file = path.join(directory, name);
    try {
      raw.push(fs.readFile(file).toString('utf8'));
    } catch (error) {
      throw new KubeError(pathError(error.code === 'EISDIR' ? 'read' : 'open', file, error));
    }
  }
  const joined = raw
    .map((y) => `${y.startsWith('\n') ? '' : '\n'}${y}${y.endsWith('\n') ? '' : '\n'}`)
    .join('---')
    .replace(/^\n/, '')
    .replace(/\n$/, '');
  const objects = [];
  let count = 1;
  for (const chunk of splitDocuments(joined)) {
    let value;
    try {
      value = YAML.parse(chunk);
    } catch (error) {
      const line = error.linePos?.[0]?.line ?? 1;
      const reason = String(error.message).split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
      throw new KubeError(
        `failed to unmarshal the ${ordinalize(count)} yaml document: ${JSON.stringify(chunk)}: error converting YAML to JSON: yaml: line ${line}: ${reason}`,
      );
    }
    if (value === null || value === undefined) continue;
    if (typeof value !== 'object' || Array.isArray(value)) {
      const jsonType = Array.isArray(value) ? 'array' : typeof value === 'boolean' ? 'bool' : typeof value;
      throw new KubeError(
        `failed to unmarshal the ${ordinalize(count)} yaml document: ${JSON.stringify(chunk)}: error unmarshaling JSON: while decoding JSON: json: cannot unmarshal ${jsonType} into Go value of type map[string]interface {}`,
      );
    }
    objects.push(value);
    count++;
  }
  return objects;
}

// apimachinery's YAMLReader: a document ends at a line that is `---` followed only by whitespace.
function splitDocuments(text) {
  const docs = [];
  let current = [];
  for (const line of text.split(/(?<=\n)/)) {
    if (/^---\s*$/.test(line)) {
      if (current.length > 0) docs.push(current.join(''));
      current = [];
    } else {
      current.push(line);
    }
  }
  if (current.length > 0) docs.push(current.join(''));
  return docs;
}

/**
 * @param {{ client: import('./kube-client.js').KubeClient, fs: any, directory: string, clusterName: string,
 *   log: (line: string) => void }} input
 */
export async function fromDirectory({ client, fs, directory, clusterName, log }) {
  log('Moving from directory...');
  try {
    const types = await moveTypes(client);
    log(`Restoring files from ${directory}`);
    let objects;
    try {
      objects = filesToObjects(fs, directory);
    } catch (error) {
      throw new KubeError(`failed to process object files: ${error.message}`);
    }
    const graph = new ObjectGraph(types);
    for (const obj of objects) graph.add(obj);
    graph.setSoftOwnership();
    graph.setTenants();
    if (clusterName) {
      const filterError = graph.filterCluster(clusterName);
      if (filterError) throw new KubeError(`failed to filter for cluster: ${filterError}`);
    }

    await ensureNamespaces(client, graph);
    log('Restoring objects into the target cluster');
    for (const group of graph.moveSequence()) {
      const errors = [];
      for (const node of group) {
        try {
          await retry(WRITE_BACKOFF, () => restoreObject(client, types, graph, node));
        } catch (error) {
          errors.push(error.message);
        }
      }
      if (errors.length > 0) throw new KubeError(aggregate(errors));
    }
    await setClusterClassPause(client, types, graph.clusterClasses(), false);
    await setClusterPause(client, types, graph.clusters(), false);
  } catch (error) {
    throw new FakeExit(error.message);
  }
}

async function ensureNamespaces(client, graph) {
  const seen = new Set();
  for (const node of graph.moveNodes()) {
    if (node.isGlobal || seen.has(node.namespace)) continue;
    seen.add(node.namespace);
    await retry(WRITE_BACKOFF, async () => {
      try {
        await client.get(CORE_TYPES.Namespace, undefined, node.namespace);
        return;
      } catch (error) {
        if (error.status !== 404) throw error;
      }
      try {
        await client.create(CORE_TYPES.Namespace, undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: node.namespace } });
      } catch (error) {
        if (error.status !== 409) throw error;
      }
    });
  }
}

/** restoreTargetObject: skip (and adopt the UID of) an existing object; otherwise create it with rebuilt ownerRefs. */
async function restoreObject(client, types, graph, node) {
  const version = node.apiVersion.split('/').pop();
  const gvk = JSON.stringify(gvkString(node.apiVersion, node.kind));
  let type;
  try {
    type = node.group ? typeFor(types, node.group, node.kind, node.apiVersion) : (CORE_TYPES[node.kind] ?? typeFor(types, '', node.kind, node.apiVersion));
  } catch (error) {
    throw new KubeError(`error creating ${gvk} ${node.namespace}/${node.name}: ${error.message}`);
  }
  try {
    const existing = await client.get(type, node.namespace, node.name, version);
    node.newUid = existing?.metadata?.uid ?? '';
    return;
  } catch {
    // Any error reading the target means "create it", as in restoreTargetObject.
  }
  const obj = structuredClone(node.object);
  obj.apiVersion = node.apiVersion;
  obj.kind = node.kind;
  delete obj.metadata.resourceVersion;
  delete obj.metadata.ownerReferences;
  const ownerRefs = [...node.owners.entries()].map(([key, attributes]) => {
    const owner = graph.nodes.get(key);
    const ref = { apiVersion: owner?.apiVersion ?? '', kind: owner?.kind ?? '', name: owner?.name ?? '', uid: owner?.newUid ?? '' };
    if (attributes.controller !== undefined) ref.controller = attributes.controller;
    if (attributes.blockOwnerDeletion !== undefined) ref.blockOwnerDeletion = attributes.blockOwnerDeletion;
    return ref;
  });
  if (ownerRefs.length > 0) obj.metadata.ownerReferences = ownerRefs;
  try {
    const created = await client.create(type, node.namespace, obj, version);
    node.newUid = created?.metadata?.uid ?? obj.metadata.uid ?? '';
  } catch (error) {
    if (error.status !== 409) throw new KubeError(`error creating ${gvk} ${node.namespace}/${node.name}: ${error.message}`);
    node.newUid = obj.metadata.uid ?? '';
  }
}
