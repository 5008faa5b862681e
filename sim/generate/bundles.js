// The spec of an EKS-A `Bundles` manifest and the entry of a `Release` manifest, shaped like the real
// ones (release/api/v1alpha1 bundle_types.go, release_types.go) but carrying only the fields an upgrade
// reads: per Kubernetes minor the EKS Distro release, the EKS-A images (cli-tools first among them) and
// the component versions. Used for the Bundles objects in the cluster and for the offline manifest files.
import { createHash } from 'node:crypto';
import {
  bundleNumberFor, componentVersions, eksdReleaseName, kubePatchVersion, EKSD_NUMBER,
} from './versions.js';

const ASSETS = 'https://anywhere-assets.eks.amazonaws.com';
const hex = (...parts) => createHash('sha256').update(parts.join(' ')).digest('hex');

/** An `Image` of a bundle (name, os, arch, uri, digest). */
function image(name, uri, description = `Container image for ${name} image`) {
  return { arch: ['amd64', 'arm64'], description, imageDigest: `sha256:${hex(uri)}`, name, os: 'linux', uri };
}

const KUBE_RBAC_PROXY = 'brancz/kube-rbac-proxy';
const RBAC_PROXY_VERSION = 'v0.18.1';
const KUBE_VIP_VERSION = 'v0.8.0';
const BOTTLEROCKET_HOST = 'v0.11.6';

/** `{ key: Image }` for each `key: repository` of EKS-A's repository, tagged `<version>-eks-a-<n>` (`tags` overrides a version). */
function images(number, version, repositories, tags = {}) {
  return Object.fromEntries(Object.entries(repositories).map(([key, repo]) => {
    const tag = `${(tags[key] ?? version).replace(/\+.*$/, '')}-eks-a-${number}`;
    return [key, image(repo.split('/').pop(), `public.ecr.aws/eks-anywhere/${repo}:${tag}`)];
  }));
}

/** `public.ecr.aws/eks-anywhere/cli-tools:v0.22.0-eks-a-220`: the image EKS-A's backup docs read. */
export const cliToolsImage = (eksaVersion) => `public.ecr.aws/eks-anywhere/cli-tools:${eksaVersion}-eks-a-${bundleNumberFor(eksaVersion)}`;

/** A release date per version: made up, stable, ordered like the versions. */
export function releaseDate(eksaVersion) {
  const m = /^v?(\d+)\.(\d+)\.(\d+)/.exec(eksaVersion);
  const days = Number(m?.[2] ?? 0) * 61 + Number(m?.[3] ?? 0) * 9;
  return new Date(Date.UTC(2022, 0, 1) + days * 86_400_000).toISOString().slice(0, 10);
}

/** Fourteen months after a made-up release of each minor, four months apart (1.31 → 2025-11-…). */
function endOfStandardSupport(minor) {
  const months = (Number(minor.split('.')[1]) - 20) * 4 + 14;
  return new Date(Date.UTC(2021, months, 26)).toISOString().slice(0, 10);
}

/** One `versionsBundles[]` entry: what EKS-A version `eksaVersion` runs for Kubernetes `minor`. */
export function versionsBundle(eksaVersion, minor) {
  const number = bundleNumberFor(eksaVersion);
  const c = componentVersions(eksaVersion);
  const tag = `${eksaVersion}-eks-a-${number}`;
  const channel = minor.replace('.', '-');
  return {
    kubeVersion: minor,
    endOfStandardSupport: endOfStandardSupport(minor),
    eksD: {
      name: eksdReleaseName(minor),
      channel,
      kubeVersion: kubePatchVersion(minor),
      manifestUrl: `https://distro.eks.amazonaws.com/kubernetes-${channel}/kubernetes-${channel}-eks-${EKSD_NUMBER}.yaml`,
      gitCommit: hex('eksd', minor).slice(0, 40),
    },
    eksa: {
      cliTools: image('eks-anywhere-cli-tools', cliToolsImage(eksaVersion)),
      clusterController: image('eks-anywhere-cluster-controller', `public.ecr.aws/eks-anywhere/eks-anywhere-cluster-controller:${tag}`),
      diagnosticCollector: image('eks-anywhere-diagnostic-collector', `public.ecr.aws/eks-anywhere/eks-anywhere-diagnostic-collector:${tag}`),
      components: { uri: `${ASSETS}/releases/bundles/${number}/artifacts/eks-anywhere/manifests/cluster-controller/${eksaVersion}/eksa-components.yaml` },
      version: c.eksa,
    },
    // Every component with the images a real bundle lists (names and repositories as in EKS-A's bundles;
    // tags are the component version without build metadata, plus the bundle's -eks-a-N).
    certManager: {
      version: c.certManager,
      ...images(number, c.certManager, {
        acmesolver: 'cert-manager/cert-manager-acmesolver', cainjector: 'cert-manager/cert-manager-cainjector',
        controller: 'cert-manager/cert-manager-controller', startupapicheck: 'cert-manager/cert-manager-startupapicheck',
        webhook: 'cert-manager/cert-manager-webhook',
      }),
    },
    clusterAPI: { version: c.clusterAPI, ...images(number, c.clusterAPI, { controller: 'kubernetes-sigs/cluster-api/cluster-api-controller', kubeProxy: KUBE_RBAC_PROXY }, { kubeProxy: RBAC_PROXY_VERSION }) },
    controlPlane: { version: c.controlPlane, ...images(number, c.controlPlane, { controller: 'kubernetes-sigs/cluster-api/kubeadm-control-plane-controller', kubeProxy: KUBE_RBAC_PROXY }, { kubeProxy: RBAC_PROXY_VERSION }) },
    bootstrap: { version: c.bootstrap, ...images(number, c.bootstrap, { controller: 'kubernetes-sigs/cluster-api/kubeadm-bootstrap-controller', kubeProxy: KUBE_RBAC_PROXY }, { kubeProxy: RBAC_PROXY_VERSION }) },
    etcdadmBootstrap: { version: c.etcdadmBootstrap, ...images(number, c.etcdadmBootstrap, { controller: 'aws/etcdadm-bootstrap-provider', kubeProxy: KUBE_RBAC_PROXY }, { kubeProxy: RBAC_PROXY_VERSION }) },
    etcdadmController: { version: c.etcdadmController, ...images(number, c.etcdadmController, { controller: 'aws/etcdadm-controller', kubeProxy: KUBE_RBAC_PROXY }, { kubeProxy: RBAC_PROXY_VERSION }) },
    flux: {
      version: c.flux,
      ...images(number, c.flux, {
        sourceController: 'fluxcd/source-controller', kustomizeController: 'fluxcd/kustomize-controller',
        helmController: 'fluxcd/helm-controller', notificationController: 'fluxcd/notification-controller',
      }),
    },
    cilium: {
      version: c.cilium,
      // Cilium comes from Isovalent's own repository on public.ecr.aws, as in EKS-A's bundles.
      cilium: image('cilium', `public.ecr.aws/isovalent/cilium:${c.cilium.replace(/-0$/, '')}-eksa.1`),
      operator: image('operator-generic', `public.ecr.aws/isovalent/operator-generic:${c.cilium.replace(/-0$/, '')}-eksa.1`),
    },
    bottlerocketHostContainers: {
      ...images(number, BOTTLEROCKET_HOST, { admin: 'bottlerocket-admin', control: 'bottlerocket-control' }),
      ...images(number, c.bootstrap, { kubeadmBootstrap: 'bottlerocket-bootstrap' }),
    },
    vSphere: {
      version: c.vsphere,
      ...images(number, c.vsphere, { clusterAPIController: 'kubernetes-sigs/cluster-api-provider-vsphere/release/manager', kubeProxy: KUBE_RBAC_PROXY, kubeVip: 'kube-vip/kube-vip' }, { kubeProxy: RBAC_PROXY_VERSION, kubeVip: KUBE_VIP_VERSION }),
      manager: image('cloud-provider-vsphere', `public.ecr.aws/eks-anywhere/kubernetes/cloud-provider-vsphere/cpi/manager:v${minor}.0-eks-d-${channel}-eks-a-${number}`),
    },
    tinkerbell: {
      version: c.tinkerbell,
      ...images(number, c.tinkerbell, { clusterAPIController: 'tinkerbell/cluster-api-provider-tinkerbell', kubeVip: 'kube-vip/kube-vip', envoy: 'envoyproxy/envoy' }, { kubeVip: KUBE_VIP_VERSION, envoy: 'v1.29.2' }),
    },
  };
}

/** `Bundles.spec` of an EKS-A version for the given Kubernetes minors (sorted, duplicates dropped). */
export function bundlesSpec(eksaVersion, kubeMinors) {
  const minors = [...new Set(kubeMinors)].sort((a, b) => Number(a.split('.')[1]) - Number(b.split('.')[1]));
  return {
    number: bundleNumberFor(eksaVersion),
    cliMinVersion: eksaVersion,
    cliMaxVersion: eksaVersion,
    versionsBundles: minors.map((minor) => versionsBundle(eksaVersion, minor)),
  };
}

function archive(name, os, arch, uri) {
  return { arch: [arch], description: `EKS Anywhere ${os} CLI`, name, os, sha256: hex(uri), sha512: `${hex(uri)}${hex('512', uri)}`, uri };
}

/** One `Release.spec.releases[]` entry; `bundleManifestUrl` is where its Bundles manifest lives. */
export function releaseEntry(eksaVersion, bundleManifestUrl) {
  const number = bundleNumberFor(eksaVersion);
  const cli = (os, arch) => archive(`eksctl-anywhere-${eksaVersion}-${os}-${arch}.tar.gz`, os, arch,
    `${ASSETS}/releases/eks-a/${number}/artifacts/eks-a/${eksaVersion}/${os}/${arch}/eksctl-anywhere-${eksaVersion}-${os}-${arch}.tar.gz`);
  return {
    bundleManifestUrl,
    date: releaseDate(eksaVersion),
    eksABinary: { darwin: cli('darwin', 'amd64'), linux: cli('linux', 'amd64') },
    eksACLI: {
      darwin: { amd64: cli('darwin', 'amd64'), arm64: cli('darwin', 'arm64') },
      linux: { amd64: cli('linux', 'amd64'), arm64: cli('linux', 'arm64') },
    },
    gitCommit: hex('commit', eksaVersion).slice(0, 40),
    gitTag: eksaVersion,
    number,
    version: eksaVersion,
  };
}
