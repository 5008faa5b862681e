// Helpers that reproduce the text of Go errors, so the fakes print what the real binaries print.

/** A failure the fake reports as `Error: <message>` on stderr, like cobra does for clusterctl. */
export class FakeExit extends Error {
  /** @param {string} message @param {number} [code] */
  constructor(message, code = 1) {
    super(message);
    this.code = code;
  }
}

const errnoText = {
  ENOENT: 'no such file or directory',
  ENOTDIR: 'not a directory',
  EISDIR: 'is a directory',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EEXIST: 'file exists',
  ENOSPC: 'no space left on device',
  EROFS: 'read-only file system',
};

/** `op path: reason`, the shape of Go's *fs.PathError (e.g. `stat backup: no such file or directory`). */
export function pathError(op, path, error) {
  const code = /** @type {{code?: string}} */ (error)?.code;
  const reason = (code && errnoText[code]) ?? String(/** @type {Error} */ (error)?.message ?? error);
  return `${op} ${path}: ${reason}`;
}

/** Go's %q for the ASCII text the fakes quote. */
export function quote(text) {
  return JSON.stringify(text);
}

/** k8s.io/apimachinery kerrors.NewAggregate(...).Error(): one message as-is, several as `[a, b]`, duplicates dropped. */
export function aggregate(messages) {
  const unique = [...new Set(messages)];
  if (unique.length === 0) return '';
  if (unique.length === 1) return unique[0] ?? '';
  return `[${unique.join(', ')}]`;
}

/** sigs.k8s.io/cluster-api util.Ordinalize: 1st, 2nd, 3rd, 4th, 11th, 12th, 13th, 21st. */
export function ordinalize(n) {
  const tens = n % 100;
  if (tens >= 11 && tens <= 13) return `${n}th`;
  switch (n % 10) {
    case 1:
      return `${n}st`;
    case 2:
      return `${n}nd`;
    case 3:
      return `${n}rd`;
    default:
      return `${n}th`;
  }
}

/** `group/version, Kind=Kind` as schema.GroupVersionKind.String() prints it (`/v1, Kind=Secret` for core). */
export function gvkString(apiVersion, kind) {
  const gv = apiVersion.includes('/') ? apiVersion : `/${apiVersion}`;
  return `${gv}, Kind=${kind}`;
}

function sortKeys(value) {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, sortKeys(value[k])]),
    );
  }
  return value;
}

/**
 * unstructured.MarshalJSON: encoding/json over a map, so keys sorted, compact, HTML-escaped, newline-terminated.
 */
export function goJSON(value) {
  return `${JSON.stringify(sortKeys(value))
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029')}\n`;
}
