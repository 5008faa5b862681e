import { describe, expect, it } from 'vitest';
import { backupDirName, parseBackupDirName } from '../../src/backup/naming.js';

describe('backup folder names', () => {
  it('uses EKS-A’s <cluster>-backup-<2006-01-02T15_04_05> in local time', () => {
    expect(backupDirName('mgmt', new Date(2026, 10, 29, 3, 4, 5))).toBe('mgmt-backup-2026-11-29T03_04_05');
  });
  it.each([
    ['mgmt-backup-2026-11-29T03_04_05', { cluster: 'mgmt', timestamp: '2026-11-29T03_04_05', suffix: '' }],
    ['w-01-backup-2026-11-29T03_04_05.partial', { cluster: 'w-01', timestamp: '2026-11-29T03_04_05', suffix: '.partial' }],
    ['mgmt-backup-2026-11-29T03_04_05.failed', { cluster: 'mgmt', timestamp: '2026-11-29T03_04_05', suffix: '.failed' }],
    ['mgmt-backup-latest', undefined],
    ['../mgmt-backup-2026-11-29T03_04_05', undefined],
  ])('parses %s', (name, expected) => {
    expect(parseBackupDirName(name)).toEqual(expected);
  });
});
