import semver from 'semver';

/** The eksaVersion an upgrade moves to, and what to tell the operator about the spec's own value. */
export interface EksaTarget {
  /** eksctl's version; the spec's only when eksctl's is unknown (a read-only command without eksctl). */
  readonly target: string | undefined;
  /** Set when spec.eksaVersion differs from the target: eksctl replaces it, the operator should know. */
  readonly note: string | undefined;
}

/**
 * The target eksaVersion is eksctl's own, always: EKS-A overwrites the spec's `eksaVersion` with the CLI's
 * release version before validating (aws/eks-anywhere `pkg/cluster/builder.go` `FileSpecBuilder.Build`,
 * reached from `cmd/eksctl-anywhere/cmd/options.go` `newClusterSpec`). The spec in the admin folder still
 * carries what `create` wrote, so it is no guide to the step eksctl will take.
 */
export function eksaTarget(specVersion: string | undefined, eksctlVersion: string | undefined): EksaTarget {
  if (eksctlVersion === undefined || eksctlVersion === '') {
    return { target: specVersion, note: undefined };
  }
  const same =
    specVersion === undefined ||
    specVersion === eksctlVersion ||
    (semver.valid(specVersion) !== null && semver.valid(eksctlVersion) !== null && semver.eq(specVersion, eksctlVersion));
  return {
    target: eksctlVersion,
    note: same
      ? undefined
      : `spec.eksaVersion ${specVersion} differs from eksctl's ${eksctlVersion}; eksctl replaces it with its own version, so the upgrade moves to ${eksctlVersion}`,
  };
}
