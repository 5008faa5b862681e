import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { EnvironmentError, UsageError } from '../../src/errors.js';
import { resolveLayout } from '../../src/spec-file/layout.js';

const KUBECONFIG = 'apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster: {server: "http://127.0.0.1:1"}\ncontexts: []\n';

function tree() {
  const root = mkdtempSync(path.join(tmpdir(), 'layout-'));
  mkdirSync(path.join(root, 'mgmt'));
  mkdirSync(path.join(root, 'w01'));
  writeFileSync(path.join(root, 'mgmt', 'mgmt-eks-a-cluster.kubeconfig'), KUBECONFIG);
  return root;
}

describe('resolveLayout', () => {
  it('finds <mgmt>/<mgmt>-eks-a-cluster.kubeconfig beside the spec folder, like eksctl', () => {
    const root = tree();
    const layout = resolveLayout({
      spec: { file: path.join(root, 'w01', 'w01-eks-a-cluster.yaml'), managementClusterName: 'mgmt', isManagement: false },
      kubeconfigFlag: undefined,
      env: {},
      cwd: '/',
    });
    expect(layout).toEqual({ managementFolder: path.join(root, 'mgmt'), kubeconfig: path.join(root, 'mgmt', 'mgmt-eks-a-cluster.kubeconfig') });
  });

  it('prefers --kubeconfig, relative to the working directory', () => {
    const root = tree();
    writeFileSync(path.join(root, 'other.kubeconfig'), KUBECONFIG);
    const layout = resolveLayout({
      spec: { file: path.join(root, 'mgmt', 'mgmt-eks-a-cluster.yaml'), managementClusterName: 'mgmt', isManagement: true },
      kubeconfigFlag: 'other.kubeconfig',
      env: {},
      cwd: root,
    });
    expect(layout.kubeconfig).toBe(path.join(root, 'other.kubeconfig'));
  });

  it('uses $KUBECONFIG for a workload cluster only, as eksctl does', () => {
    const root = mkdtempSync(path.join(tmpdir(), 'layout-'));
    writeFileSync(path.join(root, 'env.kubeconfig'), KUBECONFIG);
    const input = { kubeconfigFlag: undefined, env: { KUBECONFIG: path.join(root, 'env.kubeconfig') }, cwd: root };
    expect(resolveLayout({ ...input, spec: { file: path.join(root, 'w.yaml'), managementClusterName: 'mgmt', isManagement: false } }).kubeconfig).toBe(
      path.join(root, 'env.kubeconfig'),
    );
    expect(() => resolveLayout({ ...input, spec: { file: path.join(root, 'm.yaml'), managementClusterName: 'mgmt', isManagement: true } })).toThrow(
      EnvironmentError,
    );
  });

  it('names every path it tried and the flag that fixes it', () => {
    const root = mkdtempSync(path.join(tmpdir(), 'layout-'));
    expect(() =>
      resolveLayout({ spec: { file: path.join(root, 'm', 'm.yaml'), managementClusterName: 'mgmt', isManagement: true }, kubeconfigFlag: undefined, env: {}, cwd: root }),
    ).toThrow(/kubeconfig of management cluster mgmt not found \(tried .*mgmt-eks-a-cluster.kubeconfig/);
  });

  it('rejects a file that is not a kubeconfig', () => {
    const root = tree();
    writeFileSync(path.join(root, 'bad'), 'just: text\n');
    expect(() =>
      resolveLayout({ spec: { file: path.join(root, 'mgmt', 'x.yaml'), managementClusterName: 'mgmt', isManagement: true }, kubeconfigFlag: path.join(root, 'bad'), env: {}, cwd: root }),
    ).toThrow(UsageError);
  });
});
