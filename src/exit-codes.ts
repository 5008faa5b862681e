// The one table of exit codes. README "Exit codes" mirrors it; test/exit-codes.test.ts keeps them in step.
export const ExitCode = {
  Success: 0,
  Internal: 1,
  Usage: 2,
  Environment: 3,
  NotReady: 4,
  Skew: 5,
  Locked: 6,
  BackupFailed: 7,
  EtcdSnapshotFailed: 8,
  VerifyFailed: 9,
  UpgradeFailed: 10,
  NotConfirmed: 11,
  PlanStale: 12,
  NotAttempted: 13,
  Interrupted: 130,
} as const;

export type ExitCodeName = keyof typeof ExitCode;

export const exitCodeMeaning: Record<ExitCodeName, string> = {
  Success: 'success: every cluster ready (preflight), backup complete, or upgrade confirmed',
  Internal: 'internal error: a bug; rerun with -v and report it',
  Usage: 'bad input: unknown flag, unreadable or malformed spec, invalid name',
  Environment: 'environment: a tool is missing, the kubeconfig is missing, or the API server is unreachable',
  NotReady: 'gate: a cluster of the management tree is not ready',
  Skew: 'version skew: the spec asks for a version step EKS Anywhere does not allow',
  Locked: 'locked: another run holds the upgrade lock',
  BackupFailed: 'the Cluster API backup failed or did not verify, or its off-site copy (backups push) failed',
  EtcdSnapshotFailed: 'an etcd snapshot failed or did not verify',
  VerifyFailed: 'verify or drill: a backup set does not match its manifest, or does not restore',
  UpgradeFailed: 'eksctl anywhere upgrade failed after a good backup',
  NotConfirmed: 'eksctl exited 0 but the cluster did not report Ready at the new generation in time',
  PlanStale: '--plan: the tree, the spec, the tools or the flags changed since the plan was made; nothing was written',
  NotAttempted: 'workloads: some selected clusters were not started (--not-after passed, or a soak or a signal stopped the waves); none of those started failed',
  Interrupted: 'interrupted by SIGINT/SIGTERM/SIGHUP; the lock was released and pause state restored',
};
