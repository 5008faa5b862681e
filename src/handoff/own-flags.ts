import { UsageError } from '../errors.js';

/**
 * Flags of eksa-safe-upgrade that eksctl does not have. After `--` every word goes to eksctl unchanged,
 * so one of these there is a mistake: `-- --dry-run` would otherwise make a real run that eksctl then
 * refuses, after the lock and the backup.
 */
export const OWN_FLAGS: readonly string[] = [
  'dry-run', 'plan', 'plan-out', 'report', 'journal', 'on-unready', 'request-timeout', 'clean-failed',
  'lock-ttl', 'force-unlock', 'confirm-timeout', 'confirm-interval', 'max-backup-age', 'clusterctl',
  'cli-tools-image', 'release-manifest', 'eksa-version', 'move-timeout', 'ssh-key', 'ssh-user', 'ssh-port', 'ssh-known-hosts',
  'ssh-option', 'ssh-address-type', 'concurrency', 'skip-etcd-backup', 'reason', 'etcd-remote-root',
  'etcd-endpoint', 'stacked-etcdctl',
];

/** Refuse our own flags among the words after `--` (exit 2), before anything is read or written. */
export function refuseOwnFlagsAfterDashDash(extraArgs: readonly string[]): void {
  for (const word of extraArgs) {
    const m = /^--?([a-z][a-z0-9-]*)(=.*)?$/i.exec(word);
    const name = m?.[1]?.toLowerCase();
    if (name !== undefined && OWN_FLAGS.includes(name)) {
      throw new UsageError(`--${name} is a flag of eksa-safe-upgrade; put it before \`--\``, {
        hint: 'the words after `--` go to eksctl unchanged; only eksctl flags belong there',
      });
    }
  }
}
