// `--bundles-override FILE`, read the way the real eksctl reads it. Followed: aws/eks-anywhere
// cmd/eksctl-anywhere/cmd/options.go newClusterSpec (cluster.WithOverrideBundlesManifest) →
// pkg/cluster FileSpecBuilder.getBundles (errors wrapped "getting Bundles file") → pkg/manifests/bundles.Read
// (sigs.k8s.io/yaml Unmarshal into a Bundles, "failed to unmarshal bundles manifest from [F]") through
// pkg/files Reader.ReadFile (a local path: readLocalFile, "failed reading local file [F]: open F: …"), then
// GetVersionsBundle for the spec's kubernetesVersion ("kubernetes version V is not supported by bundles
// manifest N"). newClusterSpec wraps it all in "unable to get cluster config from file: ". The EKS-D
// manifest the versions bundle names (an https URL) is not fetched: the fake has no network.
import fs from 'node:fs';
import YAML from 'yaml';
import { EksctlError } from './context.js';

const GO_ERRNO = { ENOENT: 'no such file or directory', EACCES: 'permission denied', ENOTDIR: 'not a directory' };

/**
 * @param {string | undefined} file the flag's value (unset or empty: the release manifest's Bundles are used)
 * @param {{ spec?: { kubernetesVersion?: unknown } }} cluster the EKS-A Cluster of the spec file
 * @returns {object | undefined} the Bundles read
 */
export function readBundlesOverride(file, cluster) {
  if (file === undefined || file === '') return undefined;
  const fail = (message) => new EksctlError(`unable to get cluster config from file: ${message}`);
  if (/^https:\/\//.test(file)) throw new EksctlError(`fake eksctl: --bundles-override ${file}: only local files are simulated`, 64);
  let text;
  try {
    // Go's url.Parse sees any other scheme (file://…) as no scheme: the value is opened as a path, as given.
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    const reason = e.code === 'EISDIR' ? `read ${file}: is a directory` : `open ${file}: ${GO_ERRNO[e.code] ?? e.message}`;
    throw fail(`getting Bundles file: failed reading local file [${file}]: ${reason}`);
  }
  let bundles;
  try {
    bundles = YAML.parse(text) ?? {};
  } catch (e) {
    const line = e.linePos?.[0]?.line;
    throw fail(`getting Bundles file: failed to unmarshal bundles manifest from [${file}]: error converting YAML to JSON: yaml: ${line ? `line ${line}: ` : ''}${String(e.message).split('\n')[0]}`);
  }
  if (typeof bundles !== 'object' || Array.isArray(bundles)) {
    const type = Array.isArray(bundles) ? 'array' : typeof bundles === 'number' ? 'number' : typeof bundles === 'boolean' ? 'bool' : 'string';
    throw fail(`getting Bundles file: failed to unmarshal bundles manifest from [${file}]: error unmarshaling JSON: while decoding JSON: json: cannot unmarshal ${type} into Go value of type v1alpha1.Bundles`);
  }
  const version = String(cluster.spec?.kubernetesVersion ?? '');
  const found = (bundles.spec?.versionsBundles ?? []).some((b) => b && String(b.kubeVersion) === version);
  if (!found) throw fail(`kubernetes version ${version} is not supported by bundles manifest ${Number(bundles.spec?.number ?? 0)}`);
  return bundles;
}
