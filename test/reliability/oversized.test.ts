// Oversized input fails fast or is handled in bounded memory, never by exhausting it: a 50 MB spec, an
// API list of 100,000 objects, and a tool printing far more than any management tree holds.
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, writeFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startSim, type Sim } from '../helpers/sim.js';
import { startCli } from './helpers.js';
import { triedHostile } from './hostile.js';

let sims: Sim[] = [];
afterEach(async () => {
  await Promise.all(sims.map((s) => s.close()));
  sims = [];
});
async function world(): Promise<Sim> {
  const sim = await startSim({ scenario: 'healthy' });
  sims.push(sim);
  return sim;
}
const MiB = 1024;

describe('oversized input', () => {
  it('oversized: a 50 MB spec is refused before it is parsed', async () => {
    const sim = await world();
    const file = path.join(sim.workdir, 'huge.yaml');
    const fd = openSync(file, 'w');
    writeSync(fd, readFileSync(sim.specFile()));
    const comment = `# ${'x'.repeat(1022)}\n`;
    for (let i = 0; i < 50 * 1024; i++) writeSync(fd, comment);
    closeSync(fd);
    const r = await startCli(['cluster', '-f', file, '--skip-etcd-backup', '--reason', 'oversized'], { env: sim.env, cwd: sim.workdir, timeoutMs: 60_000 }).done;
    expect(r.exitCode, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/^Error: cluster spec .*huge\.yaml is \d+ bytes, larger than any EKS-A spec/m);
    expect(r.durationMs).toBeLessThan(15_000);
    expect(r.peakRssKiB, 'the file was never read into memory').toBeLessThan(200 * MiB);
    triedHostile('oversized', 'cli', 'a 50 MB spec');
  });

  it('oversized: an API list of 100,000 objects is read in bounded memory', async () => {
    const sim = await world();
    const ghosts = Array.from({ length: 100_000 }, (_, i) => ({
      apiVersion: 'cluster.x-k8s.io/v1beta2',
      kind: 'Machine',
      metadata: { name: `ghost-${i}`, namespace: 'eksa-system', uid: `ghost-${i}`, labels: { 'cluster.x-k8s.io/cluster-name': 'ghost' } },
      spec: { clusterName: 'ghost' },
    }));
    sim.server.store.load(ghosts, { adopt: true });
    const r = await startCli(['preflight', '-f', sim.specFile(), '-o', 'json', '--request-timeout', '120s'], { env: sim.env, cwd: sim.workdir, timeoutMs: 180_000 }).done;
    expect(r.exitCode, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).clusters.map((c: { name: string }) => c.name)).toEqual(['mgmt', 'w01', 'w02', 'w03']);
    expect(r.peakRssKiB).toBeLessThan(768 * MiB);
    triedHostile('oversized', 'cli', 'an API list of 100,000 objects');
  }, 240_000);

  it('oversized: a tool printing 400 MB is stopped at the bound with a clear error', async () => {
    const sim = await world();
    const bin = path.join(sim.workdir, 'bin');
    const real = (process.env.PATH ?? '').split(':').map((d) => path.join(d, 'kubectl')).find((f) => !f.includes('/sim/bin/') && existsSync(f));
    mkdirSync(bin, { recursive: true });
    writeFileSync(path.join(bin, 'kubectl'), `#!/bin/sh\ncase " $* " in *" get "*) head -c 419430400 /dev/zero | tr '\\0' 'x'; exit 0;; esac\nexec "${real}" "$@"\n`, { mode: 0o755 });
    const r = await startCli(['preflight', '-f', sim.specFile()], { env: { ...sim.env, PATH: `${bin}:${sim.env.PATH}` }, cwd: sim.workdir, timeoutMs: 120_000 }).done;
    expect(r.exitCode, r.stderr).toBe(3);
    expect(r.stderr).toMatch(/^Error: read the management tree of mgmt: the output passed 256 MiB; stopped rather than exhaust memory$/m);
    expect(r.peakRssKiB).toBeLessThan(1024 * MiB);
    triedHostile('oversized', 'cli', 'a tool printing 400 MB');
  }, 180_000);
});

