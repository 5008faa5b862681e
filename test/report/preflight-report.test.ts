// preflight's report names the eksaVersion the upgrade moves to: eksctl's own (src/skew/target.ts, after
// aws/eks-anywhere pkg/cluster/builder.go FileSpecBuilder.Build), with a note when the spec says otherwise.
import { describe, expect, it } from 'vitest';
import { buildPreflightReport, renderPreflightTable } from '../../src/report/preflight-report.js';

const plain = { ok: (t: string) => t, bad: (t: string) => t, dim: (t: string) => t, bold: (t: string) => t };
const build = (specEksa: string | undefined, eksctl: string) =>
  buildPreflightReport({
    spec: { file: 'mgmt/mgmt-eks-a-cluster.yaml', name: 'mgmt', isManagement: true, managementClusterName: 'mgmt', kubernetesVersion: '1.32', eksaVersion: specEksa } as never,
    kubeconfig: 'k',
    tools: { eksctl, kubectl: 'v1.32.0' } as never,
    verdicts: [],
    gated: [],
    skew: [],
    scope: { kind: 'whole-tree', clusters: ['mgmt'], summary: 'whole tree' } as never,
  }).report;

describe('preflight report: the EKS-A target', () => {
  it("shows eksctl's version, not the spec's stale one, and says eksctl replaces it", () => {
    const report = build('v0.22.0', 'v0.23.0');
    expect(report.spec).toMatchObject({ eksaVersion: 'v0.22.0', eksaTarget: 'v0.23.0' });
    expect(report.spec.eksaTargetNote).toMatch(/spec.eksaVersion v0.22.0 differs from eksctl's v0.23.0; eksctl replaces it/);
    const text = renderPreflightTable(report, plain);
    expect(text).toContain('Version skew: none (Kubernetes 1.32, EKS-A v0.23.0)');
    expect(text).toMatch(/^ {2}note: spec.eksaVersion v0.22.0 differs from eksctl's v0.23.0/m);
  });

  it('has no note when the spec agrees with eksctl or names no version', () => {
    for (const spec of ['v0.23.0', undefined]) {
      const report = build(spec, 'v0.23.0');
      expect(report.spec.eksaTarget).toBe('v0.23.0');
      expect(report.spec.eksaTargetNote).toBeNull();
      expect(renderPreflightTable(report, plain)).not.toMatch(/note:/);
    }
  });
});
