import semver from 'semver';
import { EnvironmentError } from '../errors.js';
import { read } from '../command.js';
import type { Runner } from '../runner/runner.js';

export interface ToolVersions {
  /** kubectl's client version, e.g. "1.32.4". */
  readonly kubectl: string;
  /** The EKS Anywhere version of the eksctl plugin, e.g. "v0.23.0": the version an upgrade moves to. */
  readonly eksctl: string;
}

export function parseKubectlVersion(stdout: string): string {
  let gitVersion: unknown;
  try {
    gitVersion = (JSON.parse(stdout) as { clientVersion?: { gitVersion?: unknown } }).clientVersion?.gitVersion;
  } catch {
    gitVersion = undefined;
  }
  const version = typeof gitVersion === 'string' ? semver.coerce(gitVersion)?.version : undefined;
  if (!version) throw new EnvironmentError('kubectl did not report its version', { hint: 'install a working kubectl' });
  return version;
}

/** `eksctl anywhere version` prints `Version: v0.23.0` then the manifest URLs. */
export function parseEksctlAnywhereVersion(stdout: string): string {
  const match = /^Version:\s*(\S+)/m.exec(stdout);
  const version = match?.[1];
  if (!version || semver.valid(version) === null) {
    throw new EnvironmentError('eksctl anywhere version did not print a semantic version', {
      hint: 'install the eksctl-anywhere plugin (eksctl anywhere version must work)',
    });
  }
  return version.startsWith('v') ? version : `v${version}`;
}

/** Both versions, read in parallel: neither call touches the cluster. */
export async function readToolVersions(runner: Runner): Promise<ToolVersions> {
  const [kubectl, eksctl] = await Promise.all([
    runner
      .run(read(['kubectl', 'version', '--client', '-o', 'json'], 'read the kubectl version'), {
        hint: 'install kubectl or put it on PATH',
      })
      .then((r) => parseKubectlVersion(r.stdout)),
    runner
      .run(read(['eksctl', 'anywhere', 'version'], 'read the EKS Anywhere version of eksctl'), {
        hint: 'install eksctl with the anywhere plugin, or put it on PATH',
      })
      .then((r) => parseEksctlAnywhereVersion(r.stdout)),
  ]);
  return { kubectl, eksctl };
}
