import { describe, expect, it } from 'vitest';
import { mirrorFromSpec, parseImageReference, replaceRegistry } from '../../src/airgap/mirror.js';

describe('mirrorFromSpec and replaceRegistry (EKS-A pkg/registrymirror)', () => {
  const uri = 'public.ecr.aws/eks-anywhere/cert-manager/cert-manager-controller:v1.17.2-eks-a-230';
  it.each([
    ['no namespaces: public.ecr.aws maps to the base', { endpoint: 'mirror.local', port: '5000' }, uri, 'mirror.local:5000/eks-anywhere/cert-manager/cert-manager-controller:v1.17.2-eks-a-230'],
    ['default port 443', { endpoint: 'mirror.local' }, uri, 'mirror.local:443/eks-anywhere/cert-manager/cert-manager-controller:v1.17.2-eks-a-230'],
    ['a namespace', { endpoint: 'm', port: '443', ociNamespaces: [{ registry: 'public.ecr.aws', namespace: 'eksa' }] }, uri, 'm:443/eksa/eks-anywhere/cert-manager/cert-manager-controller:v1.17.2-eks-a-230'],
    ['an unmapped registry is left as it is', { endpoint: 'm', port: '443', ociNamespaces: [{ registry: '783794618700.dkr.ecr.us-west-2.amazonaws.com', namespace: 'curated' }] }, uri, uri],
    ['IPv6 endpoint', { endpoint: '::1', port: '5000' }, uri, '[::1]:5000/eks-anywhere/cert-manager/cert-manager-controller:v1.17.2-eks-a-230'],
  ])('%s', (_n, config, image, expected) => {
    const mirror = mirrorFromSpec({ registryMirrorConfiguration: config })!;
    expect(replaceRegistry(mirror, image)).toBe(expected);
  });

  it('is undefined without a mirror', () => {
    expect(mirrorFromSpec({})).toBeUndefined();
    expect(mirrorFromSpec({ registryMirrorConfiguration: { endpoint: '' } })).toBeUndefined();
  });

  it.each([
    ['127.0.0.1:5000/a/b:t', { registry: '127.0.0.1:5000', repository: 'a/b', reference: 't' }],
    ['m:443/a@sha256:abc', { registry: 'm:443', repository: 'a', reference: 'sha256:abc' }],
    ['m.io/a/b:t@sha256:abc', { registry: 'm.io', repository: 'a/b', reference: 'sha256:abc' }],
    ['m.io/a', { registry: 'm.io', repository: 'a', reference: 'latest' }],
    ['noregistry/a:t', undefined],
  ])('parses %s', (ref, expected) => {
    expect(parseImageReference(ref)).toEqual(expected);
  });
});
