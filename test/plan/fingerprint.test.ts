import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../src/kube/types.js';
import { canonicalJson, compareFingerprints, stampObjects, type Fingerprint, type ObjectStamp } from '../../src/plan/fingerprint.js';

const obj = (apiVersion: string, kind: string, name: string, namespace: string | undefined, meta: Partial<KubeObject['metadata']> = {}): KubeObject => ({
  apiVersion,
  kind,
  metadata: { name, ...(namespace === undefined ? {} : { namespace }), ...meta },
});

describe('stampObjects', () => {
  it('keeps kind, apiVersion, namespace, name, uid, resourceVersion and generation, and nothing else', () => {
    const o = { ...obj('cluster.x-k8s.io/v1beta2', 'Cluster', 'm01', 'eksa-system', { uid: 'u1', resourceVersion: '42', generation: 3, labels: { a: 'b' } }), spec: { paused: true } };
    expect(stampObjects([o])).toEqual([{ kind: 'Cluster', apiVersion: 'cluster.x-k8s.io/v1beta2', namespace: 'eksa-system', name: 'm01', uid: 'u1', resourceVersion: '42', generation: 3 }]);
  });

  it('fills what is missing: namespace and uid and resourceVersion empty, generation null', () => {
    expect(stampObjects([obj('v1', 'Namespace', 'eksa-system', undefined)])).toEqual([
      { kind: 'Namespace', apiVersion: 'v1', namespace: '', name: 'eksa-system', uid: '', resourceVersion: '', generation: null },
    ]);
  });

  it('a non-numeric generation is null, not a string', () => {
    const o = obj('v1', 'ConfigMap', 'x', 'default', { generation: '3' as unknown as number });
    expect(stampObjects([o])[0]!.generation).toBeNull();
  });

  it('sorts by kind, then API group (not version), then namespace/name, whatever the input order', () => {
    const items = [
      obj('cluster.x-k8s.io/v1beta2', 'Machine', 'b', 'eksa-system'),
      obj('anywhere.eks.amazonaws.com/v1alpha1', 'Cluster', 'w01', 'default'),
      obj('cluster.x-k8s.io/v1beta1', 'Cluster', 'm01', 'eksa-system'),
      obj('cluster.x-k8s.io/v1beta2', 'Machine', 'a', 'eksa-system'),
      obj('anywhere.eks.amazonaws.com/v1alpha1', 'Cluster', 'm01', 'default'),
      obj('cluster.x-k8s.io/v1beta2', 'Machine', 'c', 'default'),
    ];
    const expected = [
      'Cluster anywhere.eks.amazonaws.com default/m01',
      'Cluster anywhere.eks.amazonaws.com default/w01',
      'Cluster cluster.x-k8s.io eksa-system/m01',
      'Machine cluster.x-k8s.io default/c',
      'Machine cluster.x-k8s.io eksa-system/a',
      'Machine cluster.x-k8s.io eksa-system/b',
    ];
    const key = (s: ObjectStamp) => `${s.kind} ${s.apiVersion.split('/')[0]} ${s.namespace}/${s.name}`;
    expect(stampObjects(items).map(key)).toEqual(expected);
    expect(stampObjects([...items].reverse()).map(key)).toEqual(expected);
  });
});

describe('canonicalJson', () => {
  it('gives the same text whatever the key order, at every depth', () => {
    const a = { b: 1, a: { d: [{ y: 1, x: 2 }], c: null }, e: 'x' };
    const b = { e: 'x', a: { c: null, d: [{ x: 2, y: 1 }] }, b: 1 };
    expect(canonicalJson(a)).toBe(canonicalJson(b));
    expect(canonicalJson(a)).toBe('{"a":{"c":null,"d":[{"x":2,"y":1}]},"b":1,"e":"x"}');
  });

  it('keeps array order: arrays are not sets', () => {
    expect(canonicalJson([1, 2])).not.toBe(canonicalJson([2, 1]));
  });

  it('tells different values apart', () => {
    expect(canonicalJson({ a: 1 })).not.toBe(canonicalJson({ a: '1' }));
  });
});

const stamp = (o: Partial<ObjectStamp> & { name: string }): ObjectStamp => ({
  kind: 'Cluster',
  apiVersion: 'cluster.x-k8s.io/v1beta2',
  namespace: 'eksa-system',
  uid: `uid-${o.name}`,
  resourceVersion: '100',
  generation: 2,
  ...o,
});

const base: Fingerprint = {
  objects: [stamp({ name: 'm01' }), stamp({ name: 'w01' })],
  specSha256: 'a'.repeat(64),
  tools: { kubectl: '1.32.4', eksctl: 'v0.23.0' },
  flags: { 'on-unready': 'fail', 'ssh-option': ['A=1'] },
};
const KEY = 'Cluster.cluster.x-k8s.io eksa-system';

describe('compareFingerprints', () => {
  const rows: Array<{ name: string; now: Fingerprint; lines: string[] }> = [
    { name: 'nothing changed', now: base, lines: [] },
    {
      name: 'the same objects in another order and the same flags with other key order',
      now: { ...base, objects: [...base.objects].reverse(), flags: { 'ssh-option': ['A=1'], 'on-unready': 'fail' } },
      lines: [],
    },
    {
      name: 'another API version of the same object is the same object',
      now: { ...base, objects: [stamp({ name: 'm01', apiVersion: 'cluster.x-k8s.io/v1beta1' }), base.objects[1]!] },
      lines: [],
    },
    { name: 'an object removed', now: { ...base, objects: [base.objects[0]!] }, lines: [`${KEY}/w01 was removed`] },
    {
      name: 'an object added',
      now: { ...base, objects: [...base.objects, stamp({ name: 'w02' })] },
      lines: [`${KEY}/w02 was added`],
    },
    {
      name: 'an object replaced: another uid, whatever else changed',
      now: { ...base, objects: [stamp({ name: 'm01', uid: 'new', generation: 1, resourceVersion: '5' }), base.objects[1]!] },
      lines: [`${KEY}/m01 was replaced (uid uid-m01 → new)`],
    },
    {
      name: 'a spec change: generation (and resourceVersion)',
      now: { ...base, objects: [stamp({ name: 'm01', generation: 3, resourceVersion: '101' }), base.objects[1]!] },
      lines: [`${KEY}/m01 changed (generation 2 → 3)`],
    },
    {
      name: 'a status or metadata change: resourceVersion only',
      now: { ...base, objects: [base.objects[0]!, stamp({ name: 'w01', resourceVersion: '107' })] },
      lines: [`${KEY}/w01 changed (resourceVersion 100 → 107)`],
    },
    {
      name: 'the spec file',
      now: { ...base, specSha256: 'b'.repeat(64) },
      lines: [`the spec file changed (sha256 ${'a'.repeat(12)}… → ${'b'.repeat(12)}…)`],
    },
    { name: 'a tool version', now: { ...base, tools: { ...base.tools, eksctl: 'v0.23.1' } }, lines: ['eksctl is v0.23.1, the plan was made with v0.23.0'] },
    { name: 'a tool gone', now: { ...base, tools: { kubectl: '1.32.4' } }, lines: ['eksctl is gone, the plan was made with v0.23.0'] },
    { name: 'a tool new', now: { ...base, tools: { ...base.tools, clusterctl: 'v1.10.0' } }, lines: ['clusterctl is v1.10.0, the plan was made with none'] },
    { name: 'a flag value', now: { ...base, flags: { ...base.flags, 'on-unready': 'fallback' } }, lines: ['flag on-unready is "fallback", the plan was made with "fail"'] },
    { name: 'a flag array value', now: { ...base, flags: { ...base.flags, 'ssh-option': ['A=2'] } }, lines: ['flag ssh-option is ["A=2"], the plan was made with ["A=1"]'] },
    { name: 'a flag left out', now: { ...base, flags: { 'ssh-option': ['A=1'] } }, lines: ['flag on-unready is not given, the plan was made with "fail"'] },
    { name: 'a flag added', now: { ...base, flags: { ...base.flags, 'clean-failed': true } }, lines: ['flag clean-failed is true, the plan was made with none'] },
    {
      name: 'several changes: objects (changed, removed, added), then spec, tools, flags',
      now: {
        objects: [stamp({ name: 'm01', resourceVersion: '200' }), stamp({ name: 'w03' })],
        specSha256: 'c'.repeat(64),
        tools: { kubectl: '1.33.0', eksctl: 'v0.23.0' },
        flags: { ...base.flags, concurrency: 4 },
      },
      lines: [
        `${KEY}/m01 changed (resourceVersion 100 → 200)`,
        `${KEY}/w01 was removed`,
        `${KEY}/w03 was added`,
        `the spec file changed (sha256 ${'a'.repeat(12)}… → ${'c'.repeat(12)}…)`,
        'kubectl is 1.33.0, the plan was made with 1.32.4',
        'flag concurrency is 4, the plan was made with none',
      ],
    },
  ];
  it.each(rows)('$name', ({ now, lines }) => {
    expect(compareFingerprints(base, now)).toEqual(lines);
  });

  it('a namespaced and a cluster-wide object of the same name are different objects', () => {
    const planned: Fingerprint = { ...base, objects: [stamp({ name: 'x', namespace: '' })] };
    const now: Fingerprint = { ...base, objects: [stamp({ name: 'x', namespace: 'default' })] };
    expect(compareFingerprints(planned, now)).toEqual(['Cluster.cluster.x-k8s.io x was removed', 'Cluster.cluster.x-k8s.io default/x was added']);
  });
});
