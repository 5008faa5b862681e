import { describe, expect, it } from 'vitest';
import { PACKED_STORED_MAX, packedFiles, type RemoteManifest } from '../../src/offsite/artifact.js';

const sha = (c: string) => c.repeat(64);
function remote(files: [string, number, number | undefined][], pack?: number): RemoteManifest {
  return {
    schemaVersion: 2,
    tool: { name: 'eksa-safe-upgrade', version: '0.0.0' },
    set: 'mgmt-backup-2026-12-06T10_00_00',
    cluster: 'mgmt',
    managementCluster: 'mgmt',
    scope: 'tree',
    clusters: ['mgmt'],
    createdAt: '2026-12-06T10:00:00.000Z',
    pushedAt: '2026-12-06T10:01:00.000Z',
    encryption: { format: 'none' },
    files: files.map(([path, size, offset]) => ({ path, size, sha256: sha('a'), stored: { size, sha256: sha('b'), ...(offset === undefined ? {} : { offset }) } })),
    ...(pack === undefined ? {} : { pack: { size: pack, sha256: sha('c') } }),
  };
}

describe('packedFiles', () => {
  it.each([
    ['no file packed, no pack', remote([['etcd/mgmt.db', 5_000_000, undefined]]), []],
    ['packed files come back in the order of their offsets', remote([['b.yaml', 10, 1536], ['a.yaml', 100, 512], ['etcd/mgmt.db', 5_000_000, undefined]], 3072), ['a.yaml', 'b.yaml']],
    ['a file right at the end of the pack', remote([['a.yaml', 512, 512]], 1024), ['a.yaml']],
  ])('%s', (_title, manifest, paths) => {
    const got = packedFiles(manifest);
    expect(got).toEqual({ files: expect.any(Array) });
    expect((got as { files: { path: string }[] }).files.map((f) => f.path)).toEqual(paths);
  });

  it.each([
    ['a path listed twice', remote([['a.yaml', 10, 512], ['a.yaml', 10, 1536]], 4096), /a\.yaml is listed twice/],
    ['an offset and no pack', remote([['a.yaml', 10, 512]]), /said to be in a pack, and the set has none/],
    ['two files overlapping', remote([['a.yaml', 600, 512], ['b.yaml', 10, 1024]], 4096), /b\.yaml overlaps what comes before it/],
    ['no room for a header before a file', remote([['a.yaml', 10, 100]], 4096), /a\.yaml overlaps/],
    ['a file past the end of the pack', remote([['a.yaml', 600, 512]], 1024), /a\.yaml ends past the end of the pack \(1112 > 1024 bytes\)/],
    ['a file larger than a packed one can be', remote([['a.yaml', PACKED_STORED_MAX + 1, 512]], 10 * PACKED_STORED_MAX), /more than a packed file can/],
  ])('refuses %s', (_title, manifest, problem) => {
    const got = packedFiles(manifest);
    expect(got).toEqual({ problem: expect.stringMatching(problem) });
  });
});
