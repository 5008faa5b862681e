import { lstat, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'yaml';
import type { ObjectRef } from './object-graph.js';

// clusterctl's file name: <Kind>_<Namespace>_<Name>.yaml (namespace empty for cluster-scoped objects).
const CLUSTERCTL_FILE = /^([A-Za-z][A-Za-z0-9]*)_([a-z0-9]([-a-z0-9]*[a-z0-9])?)?_([a-z0-9]([-a-z0-9.]*[a-z0-9])?)\.yaml$/;

export interface ObjectFilesResult {
  readonly objects: ObjectRef[];
  /** Each good file's name and parsed content, in the order of `objects`. */
  readonly documents: Array<{ readonly name: string; readonly object: any }>;
  /** One line per file that is not what clusterctl writes: a verification failure. */
  readonly problems: string[];
}

/**
 * Parse every file of a folder of one-object files (JSON content, as clusterctl writes, or YAML),
 * checking that each name is clusterctl's and says what the file holds. Names come from a tool's
 * output: anything unexpected is reported, never followed.
 */
export async function readObjectFiles(dir: string): Promise<ObjectFilesResult> {
  const objects: ObjectRef[] = [];
  const documents: Array<{ name: string; object: any }> = [];
  const problems: string[] = [];
  let names: string[];
  try {
    names = (await readdir(dir)).sort();
  } catch (error) {
    return { objects, documents, problems: [`${path.basename(dir)}/ cannot be read (${(error as NodeJS.ErrnoException).code})`] };
  }
  for (const name of names) {
    const file = path.join(dir, name);
    const shown = JSON.stringify(name.length > 80 ? `${name.slice(0, 77)}...` : name);
    const match = CLUSTERCTL_FILE.exec(name);
    const info = await lstat(file);
    if (!info.isFile()) {
      problems.push(`${shown} is not a regular file`);
      continue;
    }
    if (!match) {
      problems.push(`${shown} is not a clusterctl object file name`);
      continue;
    }
    const text = await readFile(file, 'utf8');
    let object: any;
    try {
      object = text.trimStart().startsWith('{') ? JSON.parse(text) : parse(text);
    } catch (error) {
      problems.push(`${shown} does not parse: ${(error as Error).message.split('\n')[0]}`);
      continue;
    }
    const kind = object?.kind;
    const ns = object?.metadata?.namespace ?? '';
    const objName = object?.metadata?.name;
    if (kind !== match[1] || ns !== (match[2] ?? '') || objName !== match[4]) {
      problems.push(`${shown} holds ${kind ?? '?'} ${ns}/${objName ?? '?'}, not the object its name says`);
      continue;
    }
    objects.push({ kind, namespace: ns, name: objName });
    documents.push({ name, object });
  }
  return { objects, documents, problems };
}
