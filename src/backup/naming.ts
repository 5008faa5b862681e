// EKS-A names its backup folders `<cluster>-backup-<2006-01-02T15_04_05>` in local time (pkg/task/task.go).
const pad = (n: number) => String(n).padStart(2, '0');

export function backupTimestamp(date: Date): string {
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}_${pad(date.getMinutes())}_${pad(date.getSeconds())}`;
}

export function backupDirName(cluster: string, date: Date): string {
  return `${cluster}-backup-${backupTimestamp(date)}`;
}

/** Suffixes of a set that is not complete: being written, or failed and kept for inspection. */
export const PARTIAL_SUFFIX = '.partial';
export const FAILED_SUFFIX = '.failed';

const BACKUP_NAME = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?)-backup-(\d{4}-\d{2}-\d{2}T\d{2}_\d{2}_\d{2})(\.partial|\.failed)?$/;

/** The cluster and timestamp of a backup folder name, or undefined for anything else. */
export function parseBackupDirName(name: string): { cluster: string; timestamp: string; suffix: string } | undefined {
  const m = BACKUP_NAME.exec(name);
  return m ? { cluster: m[1]!, timestamp: m[3]!, suffix: m[4] ?? '' } : undefined;
}
