/**
 * Pure: how much room a backup set needs on the admin machine, from what the gate read. A set holds each
 * cluster's etcd snapshot (the member's database size, plus etcd's small trailer) and the objects clusterctl
 * moves and the EKS-A export writes (YAML of the objects read, counted twice: the move's files and the
 * export). Old trees hopping one minor at a time took 80 GB (eks-anywhere #5844): known before writing.
 */

export interface BackupSizeInput {
  /** etcd dbSize of one member per cluster; undefined for a cluster whose size could not be read. */
  readonly etcd: readonly { readonly cluster: string; readonly dbSize: number | undefined }[];
  /** Bytes of the objects read by the gate, as JSON. */
  readonly objectsBytes: number;
}

export const MIB = 1024 * 1024;
/** Room left free past the estimate: a fifth more, and never less than 1 MiB (the manifest, the runbook, the report). */
export const MARGIN_RATIO = 0.2;
export const MARGIN_MIN_BYTES = MIB;

export function estimateBackupBytes(input: BackupSizeInput): number {
  const etcd = input.etcd.reduce((sum, e) => sum + (e.dbSize ?? 0), 0);
  return etcd + 2 * input.objectsBytes;
}

export function neededBytes(estimate: number): number {
  return estimate + Math.max(Math.ceil(estimate * MARGIN_RATIO), MARGIN_MIN_BYTES);
}

/** `1.5 GiB`, `230 MiB`, `12 KiB`. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = bytes;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${i === 0 ? v : v >= 10 ? Math.round(v) : v.toFixed(1)} ${units[i]}`;
}

/** `{"Status":{"dbSize":N}}` of `etcdctl endpoint status -w json` (a list, one per endpoint); undefined when absent. */
export function parseEndpointStatus(stdout: string): number | undefined {
  let value: unknown;
  try {
    value = JSON.parse(stdout.trim());
  } catch {
    return undefined;
  }
  const first = Array.isArray(value) ? value[0] : value;
  const status = typeof first === 'object' && first !== null ? (first as { Status?: { dbSize?: unknown } }).Status : undefined;
  const size = status?.dbSize;
  return typeof size === 'number' && Number.isFinite(size) && size >= 0 ? size : undefined;
}
