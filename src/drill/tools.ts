import path from 'node:path';
import { EnvironmentError, UsageError } from '../errors.js';
import { findOnPath } from '../etcd/snapshot-status.js';
import type { DrillTools } from './plan.js';

/** What brings the tools where none are installed: Debian/Ubuntu packages, or a folder of release binaries. */
export const DRILL_TOOLS_HINT =
  'install the etcd-server and etcd-client packages (apt-get install etcd-server etcd-client), or pass --etcd-binary DIR: a folder holding etcd and etcdctl (and etcdutl for etcd >= 3.5) from an etcd release';

/**
 * The local etcd, etcdctl and restore tool: from `--etcd-binary DIR` only when given, else from PATH.
 * etcdutl where it exists (3.5+ moved `snapshot restore` there), else etcdctl (3.4).
 */
export function findDrillTools(path_: string | undefined, etcdBinary: string | undefined): DrillTools {
  const searched = etcdBinary === undefined ? path_ : path.resolve(etcdBinary);
  if (etcdBinary !== undefined && etcdBinary.trim() === '') throw new UsageError('--etcd-binary is empty', { hint: 'pass the folder holding etcd and etcdctl' });
  const etcd = findOnPath('etcd', searched);
  const etcdctl = findOnPath('etcdctl', searched);
  const etcdutl = findOnPath('etcdutl', searched);
  const missing = [...(etcd ? [] : ['etcd']), ...(etcdctl ? [] : ['etcdctl'])];
  if (!etcd || !etcdctl) {
    const where = etcdBinary === undefined ? 'on PATH' : `in ${searched}`;
    // One line says it all: what is missing, the package that brings it, and the flag that points elsewhere.
    throw new EnvironmentError(`a drill needs the local etcd tools: no ${missing.join(' or ')} ${where} (apt-get install etcd-server etcd-client, or --etcd-binary DIR)`, { hint: DRILL_TOOLS_HINT });
  }
  return { etcd, etcdctl, restore: etcdutl ? { tool: 'etcdutl', path: etcdutl } : { tool: 'etcdctl', path: etcdctl } };
}
