import { describe, expect, it } from 'vitest';
import { parseChallenge } from '../../src/www-authenticate.js';
import { buildRemoteScript, buildStatusScript, DEFAULT_LAYOUT } from '../../src/etcd/remote-script.js';

describe('parseChallenge', () => {
  it.each([
    ['Basic realm="test-mirror"', { scheme: 'basic', params: { realm: 'test-mirror' } }],
    ['Bearer realm="https://harbor.local/service/token",service="harbor-registry",scope="repository:a/b:pull"', { scheme: 'bearer', params: { realm: 'https://harbor.local/service/token', service: 'harbor-registry', scope: 'repository:a/b:pull' } }],
    ['', { scheme: '', params: {} }],
  ])('%s', (header, expected) => {
    expect(parseChallenge(header)).toEqual(expected);
  });
});

describe('the etcd status script (the room check\'s read)', () => {
  it.each([
    ['external', 'ubuntu'],
    ['stacked', 'ubuntu'],
    ['external', 'bottlerocket'],
    ['stacked', 'bottlerocket'],
  ] as const)('%s %s: the snapshot script\'s way to etcdctl, then endpoint status, no temp file', (topology, os) => {
    const layout = { ...DEFAULT_LAYOUT, topology, os };
    const status = buildStatusScript(layout);
    expect(status.remoteCommand).toBe(buildRemoteScript(layout).remoteCommand);
    expect(status.script).toContain('endpoint status -w json');
    expect(status.script).not.toMatch(/snapshot save|new_snapshot_file "|cat "\$SNAP"/);
    expect(status.script).toMatch(/^# eksa-safe-upgrade etcd status \(/);
    if (os === 'bottlerocket') expect(status.script).toContain('--exec-id "eksa-status-$$"');
  });
});
