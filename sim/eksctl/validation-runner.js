// The preflight of `eksctl anywhere upgrade management-components` and the runner both commands use
// (pkg/workflows/management/upgrade_management_components.go UMCValidator, pkg/validations/runner.go).
import { aggregate } from '../fakes/go-style.js';
import { EksctlError } from './context.js';
import { controlPlaneReady, goSemver, v } from './validations.js';

const capitalize = (s) => s.charAt(0).toUpperCase() + s.slice(1);

/** UMCValidator.PreflightValidations (upgrade_management_components.go): only eksa-version-skew can be skipped. */
export function managementComponentsPreflight(c) {
  const name = c.spec.metadata.name;
  const list = [
    { name: `${c.provider} provider setup and validation`, check: () => {} },
    { name: 'control plane ready', remediation: `ensure control plane nodes and pods for cluster ${name} are Ready`, check: () => controlPlaneReady(c.api, name) },
    { name: 'cluster CRDs ready', check: async () => {
      if (!(await c.api.get('customresourcedefinitions', undefined, 'clusters.cluster.x-k8s.io'))) throw new Error('getting clusters crd: not found');
    } },
  ];
  if (!c.skipped.has('eksa-version-skew')) {
    list.push({ name: 'validate compatibility of management components version to cluster eksaVersion', check: () => {
      const next = v(c.cliVersion);
      const current = v(c.live.spec.eksaVersion);
      if (!current) throw new Error('management cluster EksaVersion not specified');
      if (next && (next.major !== current.major || next.minor - current.minor > 1)) {
        throw new Error(`management components version ${goSemver(c.cliVersion)} can only be one minor version greater than cluster version ${goSemver(c.live.spec.eksaVersion)}`);
      }
    } });
  }
  return list;
}

/**
 * validations.Runner: every check runs and reports (`✅ Name` or `❌ Validation failed` with its fields),
 * then one error aggregates the failures.
 * @param {import('./log.js').EksaLogger} log
 */
export async function runValidations(log, validations) {
  const errors = [];
  for (const { name, remediation = '', check } of validations) {
    try {
      await check();
      log.pass(capitalize(name));
    } catch (e) {
      errors.push(e.message);
      log.fail('Validation failed', { validation: name, error: e.message, remediation });
    }
  }
  if (errors.length) throw new EksctlError(`validations failed: ${aggregate(errors)}`);
}

