// A parser with spf13/pflag's rules and error texts (both clusterctl and docker use pflag).
//
// spec: { name: { type: 'string' | 'bool' | 'int' | 'list', short?: 'n' } }
// A string flag written `--name` without `=` takes the next argument whatever it looks like, as pflag does.

export class FlagError extends Error {}

/**
 * @param {string[]} args
 * @param {Record<string, {type: 'string'|'bool'|'int'|'list', short?: string}>} spec
 * @param {{ interspersed?: boolean }} [options] interspersed=false stops at the first positional (docker run IMAGE ...)
 * @returns {{ values: Record<string, any>, set: string[], positional: string[] }}
 */
export function parseFlags(args, spec, options = {}) {
  const interspersed = options.interspersed ?? true;
  const byShort = new Map(
    Object.entries(spec)
      .filter(([, s]) => s.short)
      .map(([name, s]) => [s.short, name]),
  );
  /** @type {Record<string, any>} */
  const values = {};
  const set = [];
  const positional = [];

  const assign = (name, raw, shown) => {
    const s = spec[name];
    if (!s) throw new FlagError(`unknown flag: ${shown}`);
    if (s.type === 'bool') {
      const v = parseBool(raw);
      if (v === undefined) {
        throw new FlagError(
          `invalid argument ${JSON.stringify(raw)} for "${shown}" flag: strconv.ParseBool: parsing ${JSON.stringify(raw)}: invalid syntax`,
        );
      }
      values[name] = v;
    } else if (s.type === 'int') {
      if (!/^-?\d+$/.test(raw)) {
        throw new FlagError(
          `invalid argument ${JSON.stringify(raw)} for "${shown}" flag: strconv.ParseInt: parsing ${JSON.stringify(raw)}: invalid syntax`,
        );
      }
      values[name] = Number(raw);
    } else if (s.type === 'list') {
      values[name] = [...(values[name] ?? []), raw];
    } else {
      values[name] = raw;
    }
    if (!set.includes(name)) set.push(name);
  };

  for (let i = 0; i < args.length; i++) {
    const arg = /** @type {string} */ (args[i]);
    if (arg === '--') {
      positional.push(...args.slice(i + 1));
      break;
    }
    if (arg.startsWith('--') && arg.length > 2) {
      const eq = arg.indexOf('=');
      const name = eq === -1 ? arg.slice(2) : arg.slice(2, eq);
      const s = spec[name];
      if (!s) throw new FlagError(`unknown flag: --${name}`);
      if (eq !== -1) {
        assign(name, arg.slice(eq + 1), `--${name}`);
      } else if (s.type === 'bool') {
        assign(name, 'true', `--${name}`);
      } else if (i + 1 < args.length) {
        assign(name, /** @type {string} */ (args[++i]), `--${name}`);
      } else {
        throw new FlagError(`flag needs an argument: --${name}`);
      }
      continue;
    }
    if (arg.startsWith('-') && arg.length > 1) {
      // Shorthand cluster: -it, -nNAMESPACE, -n=NAMESPACE, -n NAMESPACE
      let rest = arg.slice(1);
      while (rest.length > 0) {
        const c = rest[0] ?? '';
        const name = byShort.get(c);
        if (!name) throw new FlagError(`unknown shorthand flag: '${c}' in ${arg}`);
        const s = spec[name];
        rest = rest.slice(1);
        if (s?.type === 'bool') {
          if (rest.startsWith('=')) {
            assign(name, rest.slice(1), `-${c}, --${name}`);
            rest = '';
          } else {
            assign(name, 'true', `-${c}, --${name}`);
          }
          continue;
        }
        if (rest.length > 0) {
          assign(name, rest.startsWith('=') ? rest.slice(1) : rest, `-${c}, --${name}`);
        } else if (i + 1 < args.length) {
          assign(name, /** @type {string} */ (args[++i]), `-${c}, --${name}`);
        } else {
          throw new FlagError(`flag needs an argument: '${c}' in -${c}`);
        }
        rest = '';
      }
      continue;
    }
    if (!interspersed) {
      positional.push(...args.slice(i));
      break;
    }
    positional.push(arg);
  }
  return { values, set, positional };
}

function parseBool(raw) {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(raw)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(raw)) return false;
  return undefined;
}
