import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { descendantsInGroup, parseProcStat, readProcessTable, signalProcessTree } from '../../src/runner/process-tree.js';

describe('parseProcStat', () => {
  it.each([
    ['1234 (eksctl) S 1200 1200 1200 34816 1200 4194304', { pid: 1234, ppid: 1200, pgrp: 1200 }],
    ['77 (eksctl anywhere) R 76 70 70 0 -1', { pid: 77, ppid: 76, pgrp: 70 }],
    ['88 (a) b (c)) S 87 80 80 0', { pid: 88, ppid: 87, pgrp: 80 }],
    ['garbage', undefined],
    ['x (y) S z 1 1', undefined],
  ])('%s', (line, entry) => {
    expect(parseProcStat(line)).toEqual(entry);
  });
});

describe('descendantsInGroup', () => {
  // 10 = eksctl (our child), 11 = eksctl-anywhere, 12/13 = docker CLIs under it, 14 = a daemon in its own group.
  const table = [
    { pid: 1, ppid: 0, pgrp: 1 },
    { pid: 9, ppid: 1, pgrp: 9 },
    { pid: 10, ppid: 9, pgrp: 9 },
    { pid: 11, ppid: 10, pgrp: 9 },
    { pid: 12, ppid: 11, pgrp: 9 },
    { pid: 13, ppid: 11, pgrp: 9 },
    { pid: 14, ppid: 11, pgrp: 14 },
    { pid: 15, ppid: 14, pgrp: 14 },
    { pid: 20, ppid: 9, pgrp: 9 },
  ];

  it.each([
    { root: 10, found: [12, 13, 11] },
    { root: 11, found: [12, 13] },
    { root: 12, found: [] },
    { root: 14, found: [15] },
    { root: 99, found: [] },
  ])('root $root → $found (deepest first, same group only, siblings untouched)', ({ root, found }) => {
    expect(descendantsInGroup(root, table)).toEqual(found);
  });

  it('survives a ppid cycle in a racy table', () => {
    expect(descendantsInGroup(30, [{ pid: 30, ppid: 31, pgrp: 3 }, { pid: 31, ppid: 30, pgrp: 3 }])).toEqual([31]);
  });
});

describe.runIf(process.platform === 'linux')('on this machine (/proc)', () => {
  it('reads this process with its parent', () => {
    const self = readProcessTable().find((p) => p.pid === process.pid);
    expect(self).toMatchObject({ pid: process.pid, ppid: process.ppid });
  });

  it('signals a grandchild that its parent does not forward to', async () => {
    // The parent ignores SIGTERM and forwards nothing; the grandchild prints what reached it.
    const grandchild = `process.on('SIGTERM', () => { process.stdout.write('grandchild got SIGTERM'); process.exit(0); }); setInterval(() => {}, 1000); process.stdout.write('ready');`;
    const parent = spawn(
      process.execPath,
      ['-e', `process.on('SIGTERM', () => {}); require('child_process').spawn(process.execPath, ['-e', ${JSON.stringify(grandchild)}], { stdio: 'inherit' }).on('exit', (c) => process.exit(c));`],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let out = '';
    parent.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((resolve) => parent.on('exit', resolve));
    while (!out.includes('ready')) await new Promise((r) => setTimeout(r, 20));
    const signalled = signalProcessTree(parent.pid!, 'SIGTERM');
    expect(signalled).toHaveLength(2);
    expect(signalled.at(-1)).toBe(parent.pid);
    expect(await exited).toBe(0);
    expect(out).toContain('grandchild got SIGTERM');
  });
});
