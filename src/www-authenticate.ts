/**
 * The parameters of an HTTP `WWW-Authenticate` challenge (`Bearer realm="…",service="…",scope="…"`): its scheme,
 * lower-cased, and the key="value" pairs. Both registry clients read it: the mirror check (src/airgap/) and the
 * off-site copies (src/offsite/).
 */
export function parseChallenge(header: string): { scheme: string; params: Record<string, string> } {
  const space = header.indexOf(' ');
  const scheme = (space < 0 ? header : header.slice(0, space)).toLowerCase();
  const params: Record<string, string> = {};
  for (const m of header.slice(space + 1).matchAll(/([a-zA-Z_]+)="([^"]*)"/g)) params[m[1]!.toLowerCase()] = m[2]!;
  return { scheme, params };
}
