import { formatCommand, formatStreamCommand, type Command } from '../command.js';
import { printable } from '../errors.js';
import { SCRATCH_PREFIX, planSnapshotDrill } from '../drill/plan.js';
import path from 'node:path';
import type { BackupAction, FileAction, PlanAction, UpgradePlan } from './types.js';

/**
 * The dry run's audit: the plan the real run applies, rendered. Lines that start at the margin are
 * what runs, in order: `$ cmd` a read, `! cmd` a write (pasteable as is), `+ …` a local file action.
 * Indented lines under a `#` comment are a branch: they run only when its condition holds.
 */
export interface RenderedPlan {
  readonly text: string;
  /** The writes rendered at the margin, in order: the dry run journals each as skipped. */
  readonly writes: readonly Command[];
}

const mode = (m: number | undefined) => (m === undefined ? '' : ` (${m.toString(8).padStart(4, '0')})`);

function fileLine(a: FileAction): string {
  switch (a.op) {
    case 'mkdir':
      return `+ mkdir ${a.path}${mode(a.mode)}${a.exclusive ? ', new' : ''}: ${a.why}`;
    case 'write':
      return `+ write ${a.path}${mode(a.mode)}: ${a.why}`;
    case 'copy':
      return `+ copy ${a.other ?? '?'} to ${a.path}${mode(a.mode)}: ${a.why}`;
    case 'rename':
      return `+ rename ${a.path} to ${a.other ?? '?'}: ${a.why}`;
    case 'remove':
      return `+ remove ${a.path}: ${a.why}`;
  }
}

/**
 * The terminal sink for one line of the plan: control characters made visible, and a line break inside a
 * value too, so a hostile path cannot start a line of its own that reads like a step of the plan.
 */
const oneLine = (text: string) => printable(text).replace(/[\n\u2028\u2029]/g, '?');

class Lines {
  readonly lines: string[] = [];
  readonly writes: Command[] = [];
  comment(text: string, indent = 0): void {
    this.lines.push(`${' '.repeat(indent)}# ${oneLine(text)}`);
  }
  command(command: Command, indent = 0): void {
    const mark = command.kind === 'read' ? '$' : '!';
    // An ssh command shows its remote script as a here-document: the only lines that may span several.
    const heredoc = command.input !== undefined && command.kind !== 'read' && command.argv[0] === 'ssh';
    const shown = heredoc ? formatStreamCommand(command) : oneLine(formatCommand(command.argv));
    this.lines.push(`${' '.repeat(indent)}${mark} ${shown}`);
    if (indent === 0 && command.kind !== 'read') this.writes.push(command);
  }
  file(action: FileAction, indent = 0): void {
    this.lines.push(`${' '.repeat(indent)}${oneLine(fileLine(action))}`);
  }
}

export function renderPlan(plan: UpgradePlan): RenderedPlan {
  const out = new Lines();
  const c = plan.cluster;
  out.comment(`Plan: ${plan.command} ${c.name} (${c.role === 'management' ? 'management cluster' : `workload cluster of ${c.managementCluster}`}), Kubernetes ${c.kubernetesVersion}`);
  out.comment(`Scope: ${plan.scope.summary}`);
  let n = 0;
  for (const action of plan.actions) {
    n += 1;
    renderAction(out, action, n);
  }
  if (plan.release) {
    out.comment(`${n + 1}. Release the upgrade lock, whatever happened before (also after a failure or Ctrl-C)`);
    out.command(plan.release.command);
  }
  return { text: out.lines.map(printable).join('\n'), writes: out.writes };
}

function renderAction(out: Lines, action: PlanAction, n: number): void {
  switch (action.op) {
    case 'force-unlock':
      out.comment(`${n}. --force-unlock: delete the upgrade lock held by ${action.previousHolder || 'nobody'} (recorded)`);
      out.command(action.command);
      return;
    case 'acquire-lock':
      out.comment(`${n}. Take the upgrade lock: Lease ${action.lock.namespace}/${action.lock.name}, term ${action.lock.leaseSeconds}s, renewed every ${Math.round(action.lock.leaseSeconds / 3)}s (now: ${action.lock.audit})`);
      out.command(action.command);
      out.comment("if it exists and looks lapsed: watch it for a full term on this machine's clock, then replace it conditional on the version first read; if it is renewed meanwhile, or another run holds it: stop", 2);
      return;
    case 'reuse-backup':
      out.comment(`${n}. Back up: reuse ${action.dir} (${Math.round(action.ageMs / 1000)}s old, complete and verified; --max-backup-age)`);
      return;
    case 'backup':
      renderBackup(out, action, n);
      return;
    case 'push': {
      const how = action.recipients.length > 0 ? `encrypted with age to ${action.recipients.join(', ')}` : 'IN PLAINTEXT (--allow-plaintext-push): every Secret and etcd snapshot of the set';
      const onFailure = action.optional ? 'a failure is a warning (--push-optional)' : 'a failure stops the run here, before eksctl (exit 7)';
      out.comment(`${n}. Copy the verified set off-site to ${action.url}, ${how}; ${onFailure}`);
      out.file({ op: 'write', path: `${action.url}/${action.setDir.split('/').pop() ?? ''}`, why: 'every file streamed, then the manifest last (a set already there is refused)' });
      return;
    }
    case 'recheck':
      out.comment(`${n}. Check readiness again under the lock: ${action.clusters.join(', ')} must still be ready`);
      out.command(action.command);
      return;
    case 'renew-lock':
      out.comment(`${n}. Renew the upgrade lock; stop unless it is still ours`);
      out.command(action.command);
      return;
    case 'handoff':
      out.comment(`${n}. Hand off to eksctl (its output on stderr; signals forwarded)`);
      out.command(action.command);
      return;
    case 'confirm': {
      const every = `every ${Math.round(action.intervalMs / 1000)}s${action.timeoutMs === undefined ? ', no time limit' : `, for up to ${Math.round(action.timeoutMs / 60000)}m`}`;
      const versions = `Kubernetes ${action.kubernetesVersion}${action.eksaVersion ? `, EKS-A ${action.eksaVersion}` : ''}`;
      out.comment(`${n}. Confirm from the cluster: ${action.cluster} Ready at the generation eksctl applied, ${versions} (${every})`);
      out.command(action.command);
      return;
    }
  }
}

function renderBackup(out: Lines, b: BackupAction, n: number): void {
  out.comment(`${n}. Back up the Cluster API and EKS-A objects${b.etcd.kind === 'snapshot' ? ' and etcd' : ''} into ${b.set.dir} (${b.scope.summary})`);
  for (const a of [...b.prepare, ...(b.records ?? [])]) out.file(a);
  out.command(b.move);
  if (b.fallback) {
    out.comment(`if the whole-tree move fails for a cluster-side reason: put the pause state back (below), then the management cluster ${b.fallback.managementCluster} only, recorded`, 2);
    for (const a of b.fallback.prepare) out.file(a, 4);
    out.command(b.fallback.move, 4);
  }
  out.comment('Put every cluster back in the pause state it had before clusterctl (clusterctl can leave it paused or unpause it)');
  out.command(b.pause.read);
  for (const s of b.pause.recorded) {
    out.comment(`${s.cluster}: recorded EKS-A paused annotation ${s.eksa ? 'set' : 'absent'}, CAPI spec.paused ${s.capi}; if either differs now:`, 2);
    for (const r of b.pause.restore.filter((r) => r.cluster === s.cluster)) out.command(r.command, 4);
  }
  out.command(b.export.command);
  out.file({ op: 'mkdir', path: b.export.dir, mode: 0o700, why: 'the EKS-A objects, one file each' });
  const eksaCount = Object.values(b.expected).reduce((sum, e) => sum + e.eksa.length, 0);
  const capiCount = Object.values(b.expected).reduce((sum, e) => sum + e.capi.length, 0);
  out.file({ op: 'write', path: `${b.export.dir}/<Kind>_<namespace>_<name>.yaml`, mode: 0o600, why: `${eksaCount} EKS-A objects` });
  out.file(b.specCopy);
  out.comment(`Verify the object graph: ${capiCount} Cluster API and ${eksaCount} EKS-A objects of ${Object.keys(b.expected).join(', ')}`);
  if (b.etcd.kind === 'skip') {
    out.comment(`No etcd snapshots: --skip-etcd-backup, recorded with the reason: ${b.etcd.reason}`);
  } else {
    out.comment(`etcd snapshots, ${b.etcd.concurrency} cluster(s) at a time; each streamed over ssh, sha256 while streaming, verified, written as .partial and renamed`);
    if (b.etcd.pinKnownHosts) out.file(b.etcd.pinKnownHosts);
    if (b.etcd.acceptChangedHostKeys) out.comment('--accept-changed-host-keys: host keys are not checked against earlier sets (recorded)');
    for (const cluster of b.etcd.clusters) {
      const t = cluster.request.target;
      out.comment(`${t.cluster} (${t.topology} etcd, ${t.os}): members tried in order until one succeeds: ${cluster.members.map((m) => `${m.machine} (${m.address})`).join(', ') || 'none'}`);
      const [first, ...rest] = cluster.members;
      if (first) {
        out.command(first.command);
        out.file({ op: 'write', path: `${b.set.partialDir}/${first.file}`, mode: 0o600, why: 'the snapshot' });
      }
      for (const m of rest) {
        out.comment(`if ${first?.machine ?? 'the one before'} fails: ${m.machine}`, 2);
        out.command(m.command, 4);
      }
    }
  }
  if (b.drill) renderDrill(out, b);
  for (const a of b.finish) out.file(a);
  out.comment('if any step of the backup fails: put the pause state back as above, then', 2);
  for (const a of b.onFailure) out.file(a, 4);
}

/**
 * `--drill`: the commands of each snapshot's drill, as drillSnapshot runs them. The scratch folder's suffix and
 * the two loopback ports are chosen at run time: shown by name.
 */
function renderDrill(out: Lines, b: BackupAction): void {
  if (!b.drill || b.etcd.kind !== 'snapshot') return;
  const restoreTool = `${b.drill.tools.restore.tool} ${b.drill.tools.restore.path}`;
  out.comment(`--drill: restore each snapshot into a throwaway etcd on 127.0.0.1 (${restoreTool}), read it back, and cross-check the management cluster's against capi/ and eksa/; its result goes into RESTORE.md and beside the set as .drill.json`);
  out.comment('a failed drill still completes the set (kept, its .drill.json says why), then stops the run before anything else: exit 9', 2);
  for (const cluster of b.etcd.clusters) {
    const member = cluster.members[0];
    if (!member) continue;
    const scratch = path.join(b.drill.tmpdir, `${SCRATCH_PREFIX}XXXXXX`);
    const plan = planSnapshotDrill(b.drill.tools, b.set.partialDir, { cluster: cluster.request.target.cluster, member: member.machine, address: member.address, file: member.file }, scratch, { client: 'CLIENT_PORT', peer: 'PEER_PORT' });
    out.comment(`${plan.snapshot.cluster}: the snapshot taken (of ${member.machine}, or of the member that answered), member name as recorded`);
    out.file({ op: 'mkdir', path: scratch, mode: 0o700, exclusive: true, why: 'private scratch folder, removed whatever happens' });
    for (const command of [plan.restore, plan.status]) out.command(command);
    out.command(plan.server);
    out.comment('in the background, stopped by its pid at the end', 2);
    for (const command of [plan.health, plan.endpointStatus, plan.keys]) out.command(command);
    if (plan.snapshot.cluster === b.manifest.managementCluster) out.command(plan.values('/registry/<group>/'));
    out.file({ op: 'remove', path: scratch, why: 'the restored data (it holds every Secret of the cluster)' });
  }
}
