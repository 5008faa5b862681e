// Label and field selectors as the API server parses them from `?labelSelector=` / `?fieldSelector=`.
// Supported label syntax: `k=v`, `k==v`, `k!=v`, `k`, `!k`, `k in (a,b)`, `k notin (a,b)`, comma = AND.

export class SelectorError extends Error {}

/** Split on commas that are not inside `( … )`. */
function splitTerms(text) {
  const terms = [];
  let depth = 0;
  let current = '';
  for (const ch of text) {
    if (ch === '(') depth += 1;
    if (ch === ')') depth -= 1;
    if (ch === ',' && depth === 0) {
      terms.push(current);
      current = '';
    } else {
      current += ch;
    }
  }
  terms.push(current);
  return terms.map((t) => t.trim()).filter((t) => t !== '');
}

const KEY = String.raw`[A-Za-z0-9]([-A-Za-z0-9_./]*[A-Za-z0-9])?`;
const VALUE = String.raw`([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?`;
const SET = new RegExp(`^(${KEY})\\s+(in|notin)\\s+\\(([^)]*)\\)$`);
const EQUALITY = new RegExp(`^(${KEY})\\s*(==|!=|=)\\s*(${VALUE})$`);
const EXISTS = new RegExp(`^(!?)\\s*(${KEY})$`);

/**
 * Parse a label selector into a predicate over a labels map.
 * @param {string | null | undefined} text
 * @returns {(labels: Record<string, string> | undefined) => boolean}
 */
export function parseLabelSelector(text) {
  if (!text) return () => true;
  const tests = splitTerms(text).map((term) => {
    let m = SET.exec(term);
    if (m) {
      const key = m[1];
      const values = m[4].split(',').map((v) => v.trim()).filter((v) => v !== '');
      return m[3] === 'in'
        ? (labels) => key in labels && values.includes(labels[key])
        : (labels) => !(key in labels) || !values.includes(labels[key]);
    }
    m = EQUALITY.exec(term);
    if (m) {
      const [key, op, value] = [m[1], m[3], m[4]];
      return op === '!='
        ? (labels) => labels[key] !== value
        : (labels) => key in labels && labels[key] === value;
    }
    m = EXISTS.exec(term);
    if (m) {
      const [negate, key] = [m[1] === '!', m[2]];
      return negate ? (labels) => !(key in labels) : (labels) => key in labels;
    }
    throw new SelectorError(`unable to parse requirement: found '${term}', expected: key, key=value, key!=value, key in (…), key notin (…), !key`);
  });
  return (labels) => {
    const l = labels ?? {};
    return tests.every((t) => t(l));
  };
}

const FIELD_PATHS = {
  'metadata.name': (o) => o.metadata?.name ?? '',
  'metadata.namespace': (o) => o.metadata?.namespace ?? '',
};

/**
 * Parse a field selector; only `metadata.name` and `metadata.namespace` are supported, as for CRDs.
 * @param {string | null | undefined} text
 * @returns {(obj: any) => boolean}
 */
export function parseFieldSelector(text) {
  if (!text) return () => true;
  const tests = splitTerms(text).map((term) => {
    const m = /^([A-Za-z.]+)\s*(==|!=|=)\s*(.*)$/.exec(term);
    if (!m) throw new SelectorError(`invalid selector: '${term}'; can't understand '${term}'`);
    const read = FIELD_PATHS[m[1]];
    if (!read) throw new SelectorError(`field label not supported: ${m[1]}`);
    const value = m[3];
    return m[2] === '!=' ? (o) => read(o) !== value : (o) => read(o) === value;
  });
  return (obj) => tests.every((t) => t(obj));
}
