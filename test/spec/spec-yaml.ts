/** A valid multi-document EKS-A spec, with the parts a test changes. */
export function specYaml(over: { name?: string; mgmt?: string; k8s?: string; eksa?: string | null; extra?: string; etcd?: boolean } = {}): string {
  const name = over.name ?? 'mgmt';
  return `apiVersion: anywhere.eks.amazonaws.com/v1alpha1
kind: Cluster
metadata:
  name: ${name}
spec:
  kubernetesVersion: "${over.k8s ?? '1.32'}"
${over.eksa === null ? '' : `  eksaVersion: ${over.eksa ?? 'v0.23.0'}\n`}  managementCluster:
    name: ${over.mgmt ?? name}
  datacenterRef: { kind: VSphereDatacenterConfig, name: ${name} }
  controlPlaneConfiguration:
    count: 3
    machineGroupRef: { kind: VSphereMachineConfig, name: ${name}-cp }
${over.etcd === false ? '' : `  externalEtcdConfiguration:\n    count: 3\n    machineGroupRef: { kind: VSphereMachineConfig, name: ${name}-etcd }\n`}  workerNodeGroupConfigurations:
    - name: md-0
      count: 2
      machineGroupRef: { kind: VSphereMachineConfig, name: ${name}-md-0 }
---
apiVersion: anywhere.eks.amazonaws.com/v1alpha1
kind: VSphereDatacenterConfig
metadata:
  name: ${name}
spec: {}
---
apiVersion: anywhere.eks.amazonaws.com/v1alpha1
kind: VSphereMachineConfig
metadata:
  name: ${name}-cp
spec:
  osFamily: bottlerocket
  users: [{ name: ec2-user }]
${over.extra ?? ''}`;
}
