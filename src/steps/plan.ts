import { access, constants, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { DrillStep } from '../drill/plan.js';
import { findDrillTools } from '../drill/tools.js';
import { newestEarlierKnownHosts } from '../backup-sets/earlier-known-hosts.js';
import type { ListrTask } from 'listr2';
import { need, type RunContext } from '../context.js';
import { UsageError } from '../errors.js';
import { resolveRecipients, type PushFlags } from '../offsite/open-store.js';
import { stampObjects, type Fingerprint } from '../plan/fingerprint.js';
import { planUpgrade, type PlanOptions } from '../plan/plan-upgrade.js';
import type { PlannedCommand, UpgradePlan } from '../plan/types.js';

export interface PlanStepOptions extends Omit<PlanOptions, 'drill'> {
  /** `--drill`, with `--etcd-binary DIR` when given: the tools are found here, before any write. */
  readonly drill?: boolean | undefined;
  readonly etcdBinary?: string | undefined;
  readonly command: PlannedCommand;
  readonly toolVersion: string;
  /** The options that shape the plan, for its fingerprint. */
  readonly flags: Readonly<Record<string, unknown>>;
  readonly pushFlags?: PushFlags | undefined;
}

/** What the plan was made against: every object read, the spec's bytes, the tools, the flags. */
export function fingerprintOf(ctx: RunContext, flags: Readonly<Record<string, unknown>>): Fingerprint {
  const tools = need(ctx, 'tools');
  // clusterctl is not here: the plan holds its exact command, and the flags that chose it are in `flags`.
  return { objects: stampObjects(need(ctx, 'items')), specSha256: need(ctx, 'specSha256'), tools: { kubectl: tools.kubectl, eksctl: tools.eksctl }, flags };
}

/** plan: the ordered actions of the run, decided from what the gate read; then its local inputs checked. */
export function planStep(options: PlanStepOptions): ListrTask<RunContext> {
  return {
    title: 'Plan the run',
    task: async (ctx, task) => {
      const scope = need(ctx, 'scope');
      if (scope.kind === 'stop') throw new Error('internal: a stopped scope reached the plan');
      const layout = need(ctx, 'layout');
      // No etcd tooling here: the plan fails now (exit 3, naming the package and --etcd-binary), nothing written.
      const drill: DrillStep | undefined = options.drill ? { tools: findDrillTools(ctx.env.PATH, options.etcdBinary === undefined ? undefined : path.resolve(ctx.cwd, options.etcdBinary)), tmpdir: os.tmpdir() } : undefined;
      const plan = planUpgrade(
        {
          command: options.command,
          spec: need(ctx, 'spec'),
          managementFolder: layout.managementFolder,
          kubectl: need(ctx, 'kubectl').options,
          inventory: need(ctx, 'inventory'),
          verdicts: need(ctx, 'verdicts'),
          scope,
          tools: need(ctx, 'tools'),
          clusterctl: ctx.clusterctl,
          lockAudit: ctx.lockRead?.audit,
          forceUnlockFrom: ctx.lockRead?.forceUnlockFrom,
          handoff: ctx.handoff,
          reuse: ctx.reuse,
          fingerprint: fingerprintOf(ctx, options.flags),
          cwd: ctx.cwd,
          now: new Date(),
          toolVersion: options.toolVersion,
          earlierKnownHosts: await newestEarlierKnownHosts(layout.managementFolder),
        },
        { ...options, push: await pushOptions(options.pushFlags, ctx.cwd), drill },
      );
      await checkPlannedInputs(plan);
      ctx.plan = plan;
      task.title = `Plan the run: ${plan.actions.length + (plan.release ? 1 : 0)} actions`;
    },
  };
}

/** `--push`: the recipients read from their files now, so the plan names every public key the copy is encrypted to. */
async function pushOptions(flags: PushFlags | undefined, cwd: string) {
  if (!flags || flags.urls.length === 0) return undefined;
  const ca = flags.access.registryCa;
  return {
    urls: flags.urls,
    recipients: await resolveRecipients(flags, cwd),
    optional: flags.optional,
    access: { ...flags.access, registryCa: ca === undefined ? undefined : path.resolve(cwd, ca) },
  };
}

/**
 * The local files the plan will read, checked now: a missing SSH key or known_hosts file would
 * otherwise fail only after clusterctl had paused and written.
 */
export async function checkPlannedInputs(plan: UpgradePlan): Promise<void> {
  for (const action of plan.actions) {
    if (action.op !== 'backup' || action.etcd.kind !== 'snapshot') continue;
    for (const { request } of action.etcd.clusters) {
      const key = request.ssh.keyFile;
      if (!(await readableFile(key))) {
        throw new UsageError(`SSH key ${key} for cluster ${request.target.cluster} does not exist or is not a readable file`, {
          hint: 'pass --ssh-key with the private key of the nodes (EKS-A writes it as <cluster>/eks-a-id_rsa)',
        });
      }
      const known = request.ssh.knownHostsFile;
      if (known !== undefined && !(await readableFile(known))) {
        throw new UsageError(`--ssh-known-hosts ${known} does not exist or is not a readable file`, { hint: 'pass an existing known_hosts file, or leave the flag out' });
      }
    }
  }
}

async function readableFile(file: string): Promise<boolean> {
  try {
    await access(file, constants.R_OK);
    return (await stat(file)).isFile();
  } catch {
    return false;
  }
}
