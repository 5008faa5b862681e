import { UsageError } from '../errors.js';
import { redactUrls } from '../command.js';

/** Where off-site copies go: an OCI repository (one artifact per set, tagged with its name) or an S3 prefix. */
export type RemoteUrl =
  | { readonly kind: 'oci'; readonly host: string; readonly repository: string; readonly tag: string | undefined; readonly display: string }
  | { readonly kind: 's3'; readonly bucket: string; readonly prefix: string; readonly tag: string | undefined; readonly display: string };

// distribution-spec: <name> is path components of [a-z0-9]+((\.|_|__|-+)[a-z0-9]+)* joined by '/'; a tag is [a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}.
const REPOSITORY = /^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*)*$/;
const TAG = /^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}$/;
const HOST = /^(?:[a-zA-Z0-9.-]+|\[[0-9a-fA-F:]+\])(?::\d{1,5})?$/;
// S3 bucket names: 3-63 of lowercase letters, digits, dots and hyphens.
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

const HINT = 'use oci://HOST[:PORT]/REPOSITORY[:TAG] or s3://BUCKET/PREFIX[:TAG]';

/**
 * Parses a remote location. `withTag`: a trailing `:TAG` names one set (pull); without it, a tag is refused
 * (push tags each set with its own name). Credentials in the URL are refused: they would end up in the
 * shell history, the plan and the evidence; the Docker config and the AWS credential chain hold them.
 */
export function parseRemoteUrl(text: string, withTag: boolean): RemoteUrl {
  const bad = (why: string) => new UsageError(`${JSON.stringify(redactUrls(text))} is not a backup location: ${why}`, { hint: HINT });
  const m = /^(oci|s3):\/\/([^/]*)\/(.+)$/.exec(text);
  if (!m) throw bad('it names no scheme (oci:// or s3://) and path');
  const [, scheme, authority, rest] = m as unknown as [string, 'oci' | 's3', string, string];
  if (authority.includes('@')) throw bad('credentials do not go in the URL (the Docker config or the AWS credential chain holds them)');
  let path = rest.replace(/\/+$/, '');
  let tag: string | undefined;
  const lastSlash = path.lastIndexOf('/');
  const colon = path.indexOf(':', lastSlash + 1);
  if (colon >= 0) {
    tag = path.slice(colon + 1);
    path = path.slice(0, colon);
    if (!withTag) throw bad('a push tags each set with its own name; drop the :TAG');
    if (!TAG.test(tag)) throw bad(`${JSON.stringify(tag)} is not a tag`);
  }
  if (scheme === 'oci') {
    if (!HOST.test(authority)) throw bad(`${JSON.stringify(authority)} is not HOST[:PORT]`);
    if (!REPOSITORY.test(path)) throw bad(`${JSON.stringify(path)} is not a repository name (lowercase letters, digits, . _ - and /)`);
    return { kind: 'oci', host: authority, repository: path, tag, display: `oci://${authority}/${path}` };
  }
  if (!BUCKET.test(authority)) throw bad(`${JSON.stringify(authority)} is not a bucket name`);
  if (/[\0-\x1f\\]/.test(path) || path.split('/').some((p) => p === '..' || p === '.' || p === '')) throw bad(`${JSON.stringify(path)} is not a key prefix`);
  return { kind: 's3', bucket: authority, prefix: path, tag, display: `s3://${authority}/${path}` };
}
