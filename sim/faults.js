// Fault injection. A fault is a matcher plus an effect:
//   matcher: resource ('machines' or 'machines.cluster.x-k8s.io'), method, namespace, name, path
//            (a pathname prefix, for non-resource paths such as /version); no matcher = every request
//   effect:  latencyMs (added; all matching latencies add up), status + message (a Status answer),
//            hang: true (never answered; the connection is dropped when the server closes),
//            drop: true (the connection is closed without an answer)
//   when:    'before' (default): the effect replaces or delays the request before it is processed, so a
//            write never lands; 'after': the request is processed first (a write is applied) and then
//            its answer is delayed (latencyMs), replaced by an error (status), withheld (hang) or lost
//            with the connection (drop) - what a loaded API server or a broken network does to a write
//   times:   fire only this many times (then the fault is spent); default: forever

const MATCHERS = ['resource', 'method', 'namespace', 'name', 'path'];
const EFFECTS = ['latencyMs', 'status', 'hang', 'drop'];
const KNOWN = new Set([...MATCHERS, ...EFFECTS, 'message', 'reason', 'times', 'when']);

/** Validate a fault list (throws with the offending entry) and return a normalised copy. */
export function parseFaults(list) {
  if (list === undefined || list === null) return [];
  if (!Array.isArray(list)) throw new Error('faults must be a list');
  return list.map((fault, i) => {
    const where = `faults[${i}] ${JSON.stringify(fault)}`;
    if (fault === null || typeof fault !== 'object') throw new Error(`${where}: must be an object`);
    const unknown = Object.keys(fault).filter((k) => !KNOWN.has(k));
    if (unknown.length) throw new Error(`${where}: unknown field(s) ${unknown.join(', ')}`);
    if (!EFFECTS.some((k) => fault[k] !== undefined)) throw new Error(`${where}: needs latencyMs, status, hang or drop`);
    if (fault.when !== undefined && fault.when !== 'before' && fault.when !== 'after') throw new Error(`${where}: when must be before or after`);
    for (const flag of ['hang', 'drop']) {
      if (fault[flag] !== undefined && typeof fault[flag] !== 'boolean') throw new Error(`${where}: ${flag} must be true or false`);
    }
    if (fault.status !== undefined && !(Number.isInteger(fault.status) && fault.status >= 400 && fault.status <= 599)) {
      throw new Error(`${where}: status must be an HTTP error code (400-599)`);
    }
    if (fault.latencyMs !== undefined && !(Number.isFinite(fault.latencyMs) && fault.latencyMs >= 0)) {
      throw new Error(`${where}: latencyMs must be a number >= 0`);
    }
    if (fault.times !== undefined && !(Number.isInteger(fault.times) && fault.times > 0)) {
      throw new Error(`${where}: times must be a positive integer`);
    }
    return { ...fault, ...(fault.method ? { method: String(fault.method).toUpperCase() } : {}), remaining: fault.times ?? Infinity };
  });
}

function matches(fault, req) {
  if (fault.method && fault.method !== req.method) return false;
  if (fault.path && !req.pathname.startsWith(fault.path)) return false;
  if (fault.resource) {
    if (!req.info) return false;
    const [resource, ...group] = fault.resource.split('.');
    if (resource !== req.info.resource) return false;
    if (group.length && group.join('.') !== req.info.group) return false;
  }
  if (fault.namespace && fault.namespace !== req.namespace) return false;
  if (fault.name && fault.name !== req.name) return false;
  return true;
}

/**
 * What the faults do to one request.
 * @param {ReturnType<typeof parseFaults>} faults
 * @param {{ method: string, pathname: string, info?: { resource: string, group: string }, namespace?: string, name?: string }} req
 * The effects of `when: 'after'` faults come in `after` (undefined when none matched), the same shape.
 * @returns {Outcome & { after?: Outcome }}
 * @typedef {{ latencyMs: number, hang: boolean, drop?: boolean, error?: { status: number, reason: string, message: string } }} Outcome
 */
export function faultsFor(faults, req) {
  const outcome = { latencyMs: 0, hang: false, error: undefined, drop: undefined, after: undefined };
  for (const fault of faults) {
    if (fault.remaining <= 0 || !matches(fault, req)) continue;
    fault.remaining -= 1;
    const into = fault.when === 'after' ? (outcome.after ??= { latencyMs: 0, hang: false, error: undefined, drop: undefined }) : outcome;
    into.latencyMs += fault.latencyMs ?? 0;
    if (into.hang || into.error || into.drop) continue;
    if (fault.hang) into.hang = true;
    else if (fault.drop) into.drop = true;
    else if (fault.status !== undefined) {
      into.error = {
        status: fault.status,
        reason: fault.reason ?? REASONS[fault.status] ?? 'InternalError',
        message: fault.message ?? `injected fault: ${fault.status} on ${req.method} ${req.pathname}`,
      };
    }
  }
  return outcome;
}

const REASONS = {
  400: 'BadRequest', 401: 'Unauthorized', 403: 'Forbidden', 404: 'NotFound', 409: 'Conflict',
  429: 'TooManyRequests', 500: 'InternalError', 503: 'ServiceUnavailable', 504: 'Timeout',
};
