// JSON merge patch (RFC 7386) and JSON patch (RFC 6902), as the API server applies them.
// Both return a new value and never modify their inputs (stored objects are frozen).

export class PatchError extends Error {}

const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);

/** RFC 7386: objects merge key by key, `null` deletes, anything else (arrays too) replaces. */
export function mergePatch(target, patch) {
  if (!isObject(patch)) return structuredClone(patch);
  const out = isObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else out[key] = mergePatch(out[key], value);
  }
  return out;
}

function parsePointer(pointer) {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw new PatchError(`invalid JSON pointer "${pointer}"`);
  return pointer.slice(1).split('/').map((s) => s.replaceAll('~1', '/').replaceAll('~0', '~'));
}

function arrayIndex(arr, token, forInsert) {
  if (forInsert && token === '-') return arr.length;
  if (!/^(0|[1-9]\d*)$/.test(token)) throw new PatchError(`invalid array index "${token}"`);
  const i = Number(token);
  if (i > arr.length || (!forInsert && i === arr.length)) throw new PatchError(`array index ${i} out of bounds`);
  return i;
}

/** Walk to the parent of `path`, copying containers on the way so the original stays untouched. */
function parentOf(root, tokens, path) {
  let node = root;
  for (const token of tokens.slice(0, -1)) {
    let child;
    if (Array.isArray(node)) child = node[arrayIndex(node, token, false)];
    else if (isObject(node) && Object.hasOwn(node, token)) child = node[token];
    else throw new PatchError(`path "${path}" does not exist`);
    if (child === null || typeof child !== 'object') throw new PatchError(`path "${path}" does not exist`);
    const copy = Array.isArray(child) ? [...child] : { ...child };
    if (Array.isArray(node)) node[Number(token)] = copy;
    else node[token] = copy;
    node = copy;
  }
  return node;
}

function getAt(root, path) {
  let node = root;
  for (const token of parsePointer(path)) {
    if (Array.isArray(node)) node = node[arrayIndex(node, token, false)];
    else if (isObject(node) && Object.hasOwn(node, token)) node = node[token];
    else throw new PatchError(`path "${path}" does not exist`);
  }
  return node;
}

function removeAt(root, path) {
  const tokens = parsePointer(path);
  if (tokens.length === 0) throw new PatchError('cannot remove the document root');
  const parent = parentOf(root, tokens, path);
  const last = tokens.at(-1);
  if (Array.isArray(parent)) parent.splice(arrayIndex(parent, last, false), 1);
  else if (isObject(parent) && Object.hasOwn(parent, last)) delete parent[last];
  else throw new PatchError(`path "${path}" does not exist`);
}

function addAt(root, path, value, replace) {
  const tokens = parsePointer(path);
  if (tokens.length === 0) return structuredClone(value);
  const parent = parentOf(root, tokens, path);
  const last = tokens.at(-1);
  if (Array.isArray(parent)) {
    const i = arrayIndex(parent, last, !replace);
    parent.splice(i, replace ? 1 : 0, structuredClone(value));
  } else if (isObject(parent)) {
    if (replace && !Object.hasOwn(parent, last)) throw new PatchError(`path "${path}" does not exist`);
    parent[last] = structuredClone(value);
  } else {
    throw new PatchError(`path "${path}" does not exist`);
  }
  return root;
}

/** RFC 6902 operations: add, remove, replace, move, copy, test. */
export function jsonPatch(target, operations) {
  if (!Array.isArray(operations)) throw new PatchError('a JSON patch must be an array of operations');
  let doc = Array.isArray(target) ? [...target] : isObject(target) ? { ...target } : target;
  for (const op of operations) {
    const path = String(op?.path ?? '');
    switch (op?.op) {
      case 'add': doc = addAt(doc, path, op.value, false); break;
      case 'replace': doc = addAt(doc, path, op.value, true); break;
      case 'remove': removeAt(doc, path); break;
      case 'copy': doc = addAt(doc, path, getAt(doc, String(op.from)), false); break;
      case 'move': {
        const value = getAt(doc, String(op.from));
        removeAt(doc, String(op.from));
        doc = addAt(doc, path, value, false);
        break;
      }
      case 'test':
        if (!deepEqual(getAt(doc, path), op.value)) {
          throw new PatchError(`testing value ${path} failed`);
        }
        break;
      default: throw new PatchError(`unknown JSON patch operation "${op?.op}"`);
    }
  }
  return doc;
}

/** Structural equality of JSON values (key order does not matter). */
export function deepEqual(a, b) {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) return a.length === b.length && a.every((v, i) => deepEqual(v, b[i]));
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  return ka.every((k) => Object.hasOwn(b, k) && deepEqual(a[k], b[k]));
}
