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

// A tree that is not ready while another run holds the upgrade lock: the report names that run (src/commands/preflight-gate.ts).
describe('preflight report: the upgrade lock', () => {
  const withLock = (lock: { message: string; hint: string | null } | null | undefined) =>
    buildPreflightReport({
      spec: { file: 'mgmt/mgmt-eks-a-cluster.yaml', name: 'mgmt', isManagement: true, managementClusterName: 'mgmt', kubernetesVersion: '1.32', eksaVersion: undefined } as never,
      kubeconfig: 'k',
      tools: { eksctl: 'v0.23.0', kubectl: 'v1.32.0' } as never,
      verdicts: [],
      gated: [],
      skew: [],
      scope: { kind: 'whole-tree', clusters: ['mgmt'], summary: 'whole tree' } as never,
      lock,
    }).report;

  it('is null, and not shown, when there is nothing to say', () => {
    for (const lock of [undefined, null]) {
      const report = withLock(lock);
      expect(report.lock).toBeNull();
      expect(renderPreflightTable(report, plain)).not.toMatch(/Upgrade lock/);
    }
  });

  it('names the holder and its hint, through the terminal sink', () => {
    const report = withLock({ message: 'locked by ops@admin pid 1\u001b[2J since t: mgmt is paused by that run', hint: 'wait for that run to finish' });
    const text = renderPreflightTable(report, plain);
    expect(text).toMatch(/^Upgrade lock: locked by ops@admin pid 1\?\[2J since t: mgmt is paused by that run$/m);
    expect(text).toMatch(/^ {2}hint: wait for that run to finish$/m);
  });
});
