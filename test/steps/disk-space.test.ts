// The room check of the admin machine: pure estimate and parsing; end to end, a size-limited tmpfs under
// the management folder stops the run before the lock (exit 3, saying how much is needed); with real etcd
// the members' dbSize is read over ssh (a read, also in the dry run).
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { estimateBackupBytes, formatBytes, MIB, neededBytes, parseEndpointStatus } from '../../src/airgap/disk-space.js';
import { LEASE_NAME, LEASE_NAMESPACE } from '../../src/lock/lease.js';
import { mountSmallDisk } from '../reliability/helpers.js';
import { runBin } from '../helpers/run-bin.js';
import { startSim, type Sim } from '../helpers/sim.js';
import { requireRealTools } from '../helpers/testbed.js';

const IMAGE = 'public.ecr.aws/eks-anywhere/cli-tools:v0.23.0-eks-a-99';
const NO_ETCD = ['--skip-etcd-backup', '--reason', 'disk tests'];

describe('the backup size estimate', () => {
  it.each([
    [{ etcd: [], objectsBytes: 1000 }, 2000],
    [{ etcd: [{ cluster: 'a', dbSize: 5 * MIB }, { cluster: 'b', dbSize: undefined }], objectsBytes: 10 }, 5 * MIB + 20],
  ])('%j → %d bytes', (input, expected) => {
    expect(estimateBackupBytes(input)).toBe(expected);
  });

  it.each([
    [0, MIB],
    [100 * MIB, 120 * MIB],
  ])('needs %d + margin = %d', (estimate, needed) => {
    expect(neededBytes(estimate)).toBe(needed);
  });

  it.each([
    ['[{"Endpoint":"https://10.0.0.1:2379","Status":{"header":{"revision":9},"dbSize":3145728,"dbSizeInUse":2000000}}]', 3145728],
    ['{"Status":{"dbSize":42}}', 42],
    ['[]', undefined],
    ['not json', undefined],
    ['[{"Status":{"dbSize":-1}}]', undefined],
  ])('reads dbSize of %s', (stdout, expected) => {
    expect(parseEndpointStatus(stdout)).toBe(expected);
  });

  it.each([[512, '512 B'], [1536, '1.5 KiB'], [80 * 1024 * MIB, '80 GiB']])('formats %d as %s', (bytes, text) => {
    expect(formatBytes(bytes)).toBe(text);
  });
});

describe('a disk too small for the backup', () => {
  let sim: Sim | undefined;
  let unmount: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await unmount?.();
    await sim?.close();
    sim = undefined;
    unmount = undefined;
  });

  it('stops before the lock with exit 3, saying how much is needed', async (ctx) => {
    sim = await startSim({ scenario: 'healthy' });
    unmount = mountSmallDisk(path.join(sim.workdir, 'mgmt'), 256 * 1024);
    if (!unmount) ctx.skip(); // no tmpfs here (not root)
    const r = await runBin(['cluster', '-f', sim.specFile(), '--cli-tools-image', IMAGE, ...NO_ETCD], { env: sim.env, cwd: sim.workdir, timeoutMs: 120_000 });
    expect(r.exitCode, r.stderr).toBe(3);
    expect(r.stderr).toMatch(/Error: not enough room for the backup in .*mgmt: [\d.]+ MiB needed with the margin, \d+ KiB free; .* estimated \(no etcd snapshots, objects /);
    const store = sim.server.store as any;
    expect(store.get('leases', LEASE_NAMESPACE, LEASE_NAME)).toBeUndefined();
    expect(sim.journal().filter((e) => e.source === 'apiserver' || e.source === 'clusterctl')).toEqual([]);
  }, 120_000);
});

const real = requireRealTools();
describe.skipIf(!real)('the etcd database size, read over ssh', () => {
  let sim: Sim | undefined;
  afterEach(async () => {
    await sim?.close();
    sim = undefined;
  });

  it('reads each cluster\'s dbSize in the dry run, and writes nothing', async () => {
    sim = await startSim({ scenario: 'healthy', realEtcd: true });
    const r = await runBin(['backup', '-f', sim.specFile(), '--cli-tools-image', IMAGE, '--dry-run'], { env: sim.env, cwd: sim.workdir, timeoutMs: 120_000 });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/Check the admin machine has room for the backup: [\d.]+ [KMG]iB needed, [\d.]+ [KMGT]iB free/);
    expect(r.stderr).not.toContain('etcd size unknown');
  }, 180_000);
});
