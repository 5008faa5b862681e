import { describe, expect, it } from 'vitest';
import { lookupAuth } from '../../src/offsite/docker-config.js';
import { describeErrorBody } from '../../src/offsite/oci-client.js';
import { parseChallenge } from '../../src/www-authenticate.js';
import { parseRemoteUrl } from '../../src/offsite/remote-url.js';

describe('parseRemoteUrl', () => {
  it.each([
    ['oci://registry.example:5000/backups/mgmt', false, { kind: 'oci', host: 'registry.example:5000', repository: 'backups/mgmt', tag: undefined }],
    ['oci://127.0.0.1:5000/b:mgmt-backup-2026-11-29T10_00_00', true, { kind: 'oci', host: '127.0.0.1:5000', repository: 'b', tag: 'mgmt-backup-2026-11-29T10_00_00' }],
    ['s3://my-bucket/eksa/backups', false, { kind: 's3', bucket: 'my-bucket', prefix: 'eksa/backups', tag: undefined }],
    ['s3://my-bucket/eksa:mgmt-backup-2026-11-29T10_00_00', true, { kind: 's3', bucket: 'my-bucket', prefix: 'eksa', tag: 'mgmt-backup-2026-11-29T10_00_00' }],
  ])('%s', (url, withTag, expected) => {
    expect(parseRemoteUrl(url, withTag)).toMatchObject(expected);
  });

  it.each([
    ['https://registry.example/backups', false, /names no scheme/],
    ['oci://user:sim-secret-pw@registry.example/backups', false, /credentials do not go in the URL/],
    ['oci://registry.example/Backups', false, /not a repository name/],
    ['oci://registry.example/backups:tag', false, /drop the :TAG/],
    ['oci://registry.example/backups:-bad', true, /not a tag/],
    ['s3://B/prefix', false, /not a bucket name/],
    ['s3://bucket/a/../b', false, /not a key prefix/],
  ])('refuses %s', (url, withTag, message) => {
    expect(() => parseRemoteUrl(url, withTag)).toThrow(message);
    try {
      parseRemoteUrl(url, withTag);
    } catch (error) {
      expect((error as Error).message).not.toContain('sim-secret');
    }
  });
});

describe('lookupAuth (Docker config)', () => {
  const auth = Buffer.from('bot:pw:with:colons').toString('base64');
  it.each([
    [{ auths: { 'r.example:5000': { auth } } }, 'r.example:5000', { credentials: { username: 'bot', password: 'pw:with:colons' } }],
    [{ auths: { 'https://r.example': { username: 'u', password: 'p' } } }, 'r.example', { credentials: { username: 'u', password: 'p' } }],
    [{ auths: { 'r.example': {} }, credsStore: 'pass' }, 'r.example', { helper: 'pass' }],
    [{ auths: { 'r.example': { auth } }, credHelpers: { 'r.example': 'ecr-login' } }, 'r.example', { helper: 'ecr-login' }],
    [{ auths: { 'other.example': { auth } } }, 'r.example', undefined],
  ])('%j for %s', (config, host, expected) => {
    expect(lookupAuth(config, host)).toEqual(expected);
  });
});

describe('registry answers', () => {
  it('parses Basic and Bearer challenges', () => {
    expect(parseChallenge('Basic realm="esu-test"')).toEqual({ scheme: 'basic', params: { realm: 'esu-test' } });
    expect(parseChallenge('Bearer realm="https://auth.example/token",service="registry.example",scope="repository:b:pull"')).toEqual({
      scheme: 'bearer',
      params: { realm: 'https://auth.example/token', service: 'registry.example', scope: 'repository:b:pull' },
    });
  });

  it('shows the error body of the registry, terminal-safe', () => {
    expect(describeErrorBody('{"errors":[{"code":"NAME_UNKNOWN","message":"repository name not known to registry","detail":{}}]}')).toBe('NAME_UNKNOWN: repository name not known to registry');
    expect(describeErrorBody('<html>\u001b]0;owned\u0007bad gateway</html>\nmore')).toBe('<html>?]0;owned?bad gateway</html>');
  });
});
