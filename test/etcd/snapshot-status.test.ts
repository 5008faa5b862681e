import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findOnPath, localStatusTool, parseSnapshotStatus } from '../../src/etcd/snapshot-status.js';
import { Runner } from '../../src/runner/runner.js';

const made: string[] = [];
afterAll(() => made.forEach((d) => rmSync(d, { recursive: true, force: true })));

function binDir(names: readonly string[], executable = true): string {
  const dir = mkdtempSync(join(tmpdir(), 'esu-bin-'));
  made.push(dir);
  for (const name of names) {
    writeFileSync(join(dir, name), '#!/bin/sh\n');
    chmodSync(join(dir, name), executable ? 0o755 : 0o644);
  }
  return dir;
}

const runnerWithPath = (PATH: string) => new Runner({ dryRun: false, verbose: false, log: () => {}, env: { PATH } });

describe('parseSnapshotStatus', () => {
  it.each([
    ['etcdctl 3.4', '{"hash":3970647574,"revision":51,"totalKey":5004,"totalSize":643072}'],
    ['etcdutl 3.5', '{"hash":3970647574,"revision":51,"totalKey":5004,"totalSize":643072,"version":"3.5.0"}\n'],
  ])('reads %s output', (_label, json) => {
    expect(parseSnapshotStatus(json)).toEqual({ revision: 51, totalKeys: 5004, dbSize: 643072 });
  });

  it.each(['{}', '{"revision":"51","totalKey":1,"totalSize":2}', 'null', '[]'])('refuses %s', (json) => {
    expect(() => parseSnapshotStatus(json)).toThrow(/unexpected snapshot status/);
  });

  it('refuses text that is not JSON', () => {
    expect(() => parseSnapshotStatus('Error: bad')).toThrow(SyntaxError);
  });
});

describe('local status tool', () => {
  it('prefers etcdutl, falls back to etcdctl, else none', () => {
    const both = binDir(['etcdctl', 'etcdutl']);
    const ctlOnly = binDir(['etcdctl']);
    const none = binDir([]);
    expect(localStatusTool(runnerWithPath(`${ctlOnly}:${both}`))).toBe('etcdutl');
    expect(localStatusTool(runnerWithPath(ctlOnly))).toBe('etcdctl');
    expect(localStatusTool(runnerWithPath(none))).toBeUndefined();
  });

  it('finds only executables, in PATH order, ignoring empty entries and directories', () => {
    const first = binDir(['etcdctl'], false);
    const second = binDir(['etcdctl']);
    const third = binDir([]);
    mkdirSync(join(third, 'etcdutl'));
    expect(findOnPath('etcdctl', `::${first}:${second}`)).toBe(join(second, 'etcdctl'));
    expect(findOnPath('etcdutl', third)).toBeUndefined();
    expect(findOnPath('etcdctl', undefined)).toBeUndefined();
  });
});
