import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
// @ts-expect-error plain JS module of the simulator
import { parseFlags } from '../../sim/fakes/flags.js';
// @ts-expect-error plain JS module of the simulator
import { imageRef, parseVolume } from '../../sim/fakes/docker.js';
// @ts-expect-error plain JS module of the simulator
import { filesToObjects } from '../../sim/fakes/from-directory.js';
// @ts-expect-error plain JS module of the simulator
import { fsView } from '../../sim/fakes/fs-view.js';
// @ts-expect-error plain JS module of the simulator
import { aggregate, goJSON, ordinalize } from '../../sim/fakes/go-style.js';

const SPEC = {
  namespace: { type: 'string', short: 'n' },
  'dry-run': { type: 'bool' },
  v: { type: 'int', short: 'v' },
};

describe('pflag-compatible parsing', () => {
  it.each([
    [['--namespace', 'eksa-system'], { namespace: 'eksa-system' }],
    [['--namespace=eksa-system'], { namespace: 'eksa-system' }],
    [['-n', 'eksa-system'], { namespace: 'eksa-system' }],
    [['-neksa-system'], { namespace: 'eksa-system' }],
    [['--dry-run'], { 'dry-run': true }],
    [['--dry-run=false'], { 'dry-run': false }],
    [['-v', '5'], { v: 5 }],
    [['--namespace', '--dry-run'], { namespace: '--dry-run' }],
  ])('%j', (args, values) => {
    expect(parseFlags(args, SPEC).values).toEqual(values);
  });

  it.each([
    [['--bogus'], 'unknown flag: --bogus'],
    [['-x'], "unknown shorthand flag: 'x' in -x"],
    [['--namespace'], 'flag needs an argument: --namespace'],
    [['-n'], "flag needs an argument: 'n' in -n"],
    [['--dry-run=maybe'], 'invalid argument "maybe" for "--dry-run" flag: strconv.ParseBool: parsing "maybe": invalid syntax'],
  ])('%j fails with pflag text', (args, message) => {
    expect(() => parseFlags(args, SPEC)).toThrow(message);
  });

  it('stops at the first positional when not interspersed (docker run IMAGE args…)', () => {
    const parsed = parseFlags(['-i', 'image:v1', 'move', '--namespace', 'x'], { interactive: { type: 'bool', short: 'i' } }, { interspersed: false });
    expect(parsed.positional).toEqual(['image:v1', 'move', '--namespace', 'x']);
  });
});

describe('docker helpers', () => {
  it.each([
    ['public.ecr.aws/eks-anywhere/cli-tools:v0.22.0-eks-a-92', 'public.ecr.aws/eks-anywhere/cli-tools:v0.22.0-eks-a-92', 'public.ecr.aws/eks-anywhere/cli-tools'],
    ['registry:5000/cli-tools', 'registry:5000/cli-tools:latest', 'registry:5000/cli-tools'],
    ['busybox', 'busybox:latest', 'busybox'],
  ])('image %s shows as %s (repository %s)', (image, shown, repository) => {
    expect(imageRef(image)).toEqual({ shown, repository });
  });

  it.each([
    ['/work/x://work/x', { mount: { host: '/work/x', container: '/work/x', readOnly: false } }],
    ['/a:/b:ro', { mount: { host: '/a', container: '/b', readOnly: true } }],
    ['cache:/data', { namedVolume: 'cache' }],
  ])('-v %s', (spec, parsed) => {
    expect(parseVolume(spec)).toEqual(parsed);
  });

  it('refuses a relative host path like the daemon does', () => {
    expect(parseVolume('./x:/x').error).toMatch(/includes invalid characters for a local volume name.*use absolute path/);
  });
});

describe('from-directory file reading', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'fake-restore-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const fs = () => fsView({});

  it('joins every file as a YAML document (JSON content, no trailing newline, empty files ignored)', () => {
    writeFileSync(path.join(dir, 'Cluster_eksa-system_w1.yaml'), '{"apiVersion":"cluster.x-k8s.io/v1beta2","kind":"Cluster","metadata":{"name":"w1"}}');
    writeFileSync(path.join(dir, 'Secret_eksa-system_w1-ca.yaml'), '{"apiVersion":"v1","kind":"Secret","metadata":{"name":"w1-ca"}}\n');
    writeFileSync(path.join(dir, 'empty.yaml'), '');
    expect(filesToObjects(fs(), dir).map((o: { kind: string }) => o.kind)).toEqual(['Cluster', 'Secret']);
  });

  it('breaks on a subdirectory', () => {
    mkdirSync(path.join(dir, 'etcd'));
    expect(() => filesToObjects(fs(), dir)).toThrow(`read ${dir}/etcd: is a directory`);
  });

  it('breaks on a file that is not a YAML mapping', () => {
    writeFileSync(path.join(dir, 'Cluster_eksa-system_w1.yaml'), '{"kind":"Cluster"}');
    writeFileSync(path.join(dir, 'notes.txt'), 'backup taken before the upgrade\n');
    expect(() => filesToObjects(fs(), dir)).toThrow(
      'failed to unmarshal the 2nd yaml document: "backup taken before the upgrade": error unmarshaling JSON: while decoding JSON: json: cannot unmarshal string into Go value of type map[string]interface {}',
    );
  });

  it('only sees mounted paths inside the fake container', () => {
    writeFileSync(path.join(dir, 'a.yaml'), '{"kind":"Secret"}');
    const inside = fsView({ EKSA_SIM_CONTAINER_MOUNTS: JSON.stringify([{ host: dir, container: '/backup' }]), EKSA_SIM_CONTAINER_CWD: '/backup' });
    expect(inside.readdir('.')).toEqual(['a.yaml']);
    expect(inside.exists('/backup/a.yaml')).toBe(true);
    expect(inside.exists(path.join(dir, 'a.yaml'))).toBe(false);
  });
});

describe('Go-style text', () => {
  it('marshals like encoding/json over a map: sorted keys, compact, HTML-escaped, newline', () => {
    expect(goJSON({ b: 1, a: { d: '<x&y>', c: [2, { f: 1, e: 0 }] } })).toBe('{"a":{"c":[2,{"e":0,"f":1}],"d":"\\u003cx\\u0026y\\u003e"},"b":1}\n');
  });

  it('ordinalizes and aggregates like apimachinery', () => {
    expect([1, 2, 3, 4, 11, 12, 13, 21, 22, 101].map(ordinalize)).toEqual(['1st', '2nd', '3rd', '4th', '11th', '12th', '13th', '21st', '22nd', '101st']);
    expect(aggregate(['a'])).toBe('a');
    expect(aggregate(['a', 'b', 'a'])).toBe('[a, b]');
  });
});
