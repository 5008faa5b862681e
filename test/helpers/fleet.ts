// The simulated fleet (sim/scenarios/fleet/fleet-22.yaml) for the `workloads` tests.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { repoRoot } from './run-bin.js';

export const FLEET_SCENARIO = path.join(repoRoot, 'sim', 'scenarios', 'fleet', 'fleet-22.yaml');
export const IMAGE = 'public.ecr.aws/eks-anywhere/cli-tools:v0.23.0-eks-a-99';
export const FLEET_FLAGS = ['--skip-etcd-backup', '--reason', 'fleet tests: etcd has its own tests', '--cli-tools-image', IMAGE, '--confirm-interval', '1s', '--confirm-timeout', '60s'];

/** The fleet scenario with extra keys (per-cluster eksctl outcomes, patches). */
export function fleetScenario(extra: Record<string, unknown> = {}): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'fleet-scenario-'));
  const file = path.join(dir, 'fleet-variant.yaml');
  writeFileSync(file, stringify({ extends: FLEET_SCENARIO, name: 'fleet-variant', ...extra }));
  return file;
}

/** eksctl.upgrade with some clusters' outcomes scripted (the `eksctl:` key replaces the parent's whole block). */
export function withOutcomes(outcomes: Record<string, Record<string, unknown>>): Record<string, unknown> {
  return { eksctl: { upgrade: { outcome: 'succeed', durationMs: 300, clusters: outcomes } } };
}

export const specs = (...names: string[]) => names.flatMap((n) => ['-f', `${n}/${n}-eks-a-cluster.yaml`]);
