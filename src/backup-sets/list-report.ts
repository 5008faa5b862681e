import { printable } from '../errors.js';
import type { Paint } from '../report/preflight-report.js';
import { renderTable } from '../report/table.js';
import type { BackupList, ListedSet } from './list.js';

export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

/** `2026-11-29 10:00:00Z`: UTC, to the second, sortable. */
export function shortTime(iso: string | null): string {
  return iso ? `${iso.slice(0, 10)} ${iso.slice(11, 19)}Z` : '-';
}

function lastVerified(set: ListedSet): string {
  const v = set.lastVerified;
  if (!v) return '-';
  const when = `${shortTime(v.at)}${v.source === 'creation' ? ' (at creation)' : ''}`;
  return v.ok ? `ok ${when}` : `FAILED ${when}: ${v.problems.join('; ')}`;
}

function lastDrilled(set: ListedSet): string {
  const d = set.lastDrilled;
  if (!d) return '-';
  return d.ok ? `ok ${shortTime(d.at)}` : `FAILED ${shortTime(d.at)}`;
}

export function renderBackupList(list: BackupList, paint: Paint): string {
  if (list.sets.length === 0) return `No backup sets under ${printable(list.dir)} (nor in its subfolders).`;
  // Folder names, notes and problems come from the disk and manifests: the terminal sink, before any colour.
  const rows = list.sets.map((s) => [
    printable(s.name),
    printable(s.cluster),
    s.scope ?? '-',
    shortTime(s.createdAt),
    formatBytes(s.size),
    String(s.etcdSnapshots),
    printable(s.note ? `${s.state}: ${s.note}` : s.state),
    printable(lastVerified(s)),
    lastDrilled(s),
  ]);
  const table = renderTable(['NAME', 'CLUSTER', 'SCOPE', 'CREATED', 'SIZE', 'ETCD', 'STATE', 'LAST VERIFIED', 'LAST DRILLED'], rows, (cell, column) => {
    if (column === 6) return cell.startsWith('complete') ? paint.ok(cell) : paint.bad(cell);
    if (column === 7 || column === 8) return cell.startsWith('FAILED') ? paint.bad(cell) : cell;
    if (column === 2 && cell.trim() === 'management-only') return paint.bad(cell);
    return cell;
  });
  const folders = list.folders.length === 1 && list.folders[0] === list.dir ? [] : [`Folders: ${printable(list.folders.join(', '))}`];
  const failedChecks = list.sets.filter((s) => s.lastVerified && !s.lastVerified.ok).length;
  const summary = list.verified
    ? failedChecks === 0
      ? paint.ok('Every complete set verified.')
      : paint.bad(`${failedChecks} set(s) do not match their manifest.`)
    : paint.dim('Manifests read only; pass --verify to hash every file.');
  return [...folders, table, '', summary].join('\n');
}
