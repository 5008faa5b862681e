import path from 'node:path';
import { verifyBackupSet } from '../backup/verify-set.js';
import { toDrillRecord, writeDrillRecord } from '../backup-sets/drill-record.js';
import type { OutputFormat } from '../context.js';
import { printable } from '../errors.js';
import type { ExitCodeName } from '../exit-codes.js';
import { drillSet, type DrillResult, type SnapshotDrillResult } from '../drill/run-drill.js';
import { findDrillTools } from '../drill/tools.js';
import { paint } from '../report/paint.js';
import { createRunner } from '../runner/create-runner.js';
import { trapInterrupts } from '../signals.js';
import type { CommandIo } from './io.js';
import { backupFolder } from './set-folder.js';

export interface DrillOptions {
  readonly dir: string;
  readonly output: OutputFormat;
  /** `--etcd-binary DIR`: the folder holding etcd and etcdctl (etcdutl), instead of PATH. */
  readonly etcdBinary?: string | undefined;
  readonly verbosity: number;
  readonly journal?: string | undefined;
}

/** One line per snapshot, for the terminal (its text comes from the set and etcd: the terminal sink). */
export function describeSnapshot(s: SnapshotDrillResult): string {
  const facts = [
    s.revision === undefined ? undefined : `revision ${s.revision}`,
    s.totalKeys === undefined ? undefined : `${s.totalKeys} keys`,
    s.registryKeys === undefined ? undefined : `${s.registryKeys} under /registry/`,
    s.crossCheck ? `${s.crossCheck.matched + s.crossCheck.keyOnly} objects of capi/ and eksa/ found` : undefined,
    `${(s.durationMs / 1000).toFixed(1)} s`,
  ].filter(Boolean);
  return printable(`${s.ok ? 'ok    ' : 'FAILED'} ${s.cluster} (${s.file}): ${facts.join(', ')}${s.problems.length > 0 ? `\n         ${s.problems.join('\n         ')}` : ''}`);
}

/**
 * `drill <set>`: verify the set, then restore every etcd snapshot into a throwaway etcd and read it back; the
 * management cluster's is cross-checked against capi/ and eksa/. The outcome goes beside the set.
 */
export async function drill(options: DrillOptions, io: CommandIo): Promise<ExitCodeName> {
  const dir = await backupFolder(options.dir, io.cwd);
  // Before anything is read: without the tools there is nothing to drill with (exit 3, naming what brings them).
  const tools = findDrillTools(io.env.PATH, options.etcdBinary === undefined ? undefined : path.resolve(io.cwd, options.etcdBinary));
  const p = paint(io.env);
  const json = options.output === 'json';
  const verified = await verifyBackupSet(dir);
  const problems = verified.ok ? [] : [`verify failed: ${verified.problems.join('; ')}`];
  if (verified.ok && verified.manifest && verified.manifest.etcd.length === 0) {
    problems.push(`the set has no etcd snapshots${verified.manifest.etcdSkipped ? ` (skipped: ${verified.manifest.etcdSkipped.reason})` : ''}: nothing to restore`);
  }
  let result: DrillResult | undefined;
  if (problems.length === 0 && verified.manifest) {
    const runner = createRunner({ dryRun: false, verbosity: options.verbosity, journal: options.journal }, io);
    const untrap = trapInterrupts(runner);
    try {
      if (!json) io.stderr(`Drilling ${verified.manifest.etcd.length} etcd snapshot(s) of ${printable(dir)}`);
      result = await drillSet(runner, tools, dir, verified.manifest, { onSnapshot: (s) => !json && io.stdout(s.ok ? p.ok(describeSnapshot(s)) : p.bad(describeSnapshot(s))) });
    } finally {
      untrap();
    }
  }
  const record = toDrillRecord(new Date(), problems, result);
  // Only a set that exists gets a record: a typo must not leave a `.drill.json` beside nothing.
  if (verified.manifest) await writeDrillRecord(dir, record);
  if (json) {
    io.stdout(JSON.stringify({ command: 'drill', dir, ok: record.ok, problems: record.problems, drilledAt: record.drilledAt, snapshots: result?.snapshots ?? [] }, null, 2));
  } else {
    for (const problem of problems) io.stdout(p.bad(`problem: ${printable(problem)}`));
    io.stdout(record.ok ? p.ok(`Drill passed: ${printable(dir)}`) : p.bad(`Drill failed: ${printable(dir)}`));
  }
  return record.ok ? 'Success' : 'VerifyFailed';
}
