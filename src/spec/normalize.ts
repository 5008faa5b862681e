/**
 * EKS-A quotes every `kubernetesVersion: 1.xx` before parsing, so an unquoted `1.30` is the string "1.30",
 * not the number 1.3 (aws/eks-anywhere `pkg/api/v1alpha1/cluster.go` `NormalizeKubernetesVersion`, issue
 * #9184; also applied by `pkg/cluster/config_manager.go` and `pkg/yamlutil/parser.go`). The same regular
 * expression, line by line: Go's RE2 and JavaScript agree on it (`\s` also spans line breaks in both).
 */
const KUBERNETES_VERSION_LINE = /^(.*kubernetesVersion:\s*)['"]?(1\.[0-9]{2,})['"]?(.*)$/gm;

export function normalizeKubernetesVersion(yamlContent: string): string {
  return yamlContent.replace(KUBERNETES_VERSION_LINE, '$1"$2"$3');
}
