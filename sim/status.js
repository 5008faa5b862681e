// `Status` objects: the error bodies kubectl turns into `Error from server (<reason>): <message>`.
import { qualifiedResource } from './kinds.js';

/** An error that the server answers with a `Status` body of `code`. */
export class ApiError extends Error {
  constructor(code, reason, message, details) {
    super(message);
    this.code = code;
    this.reason = reason;
    this.details = details;
  }

  toStatus() {
    return statusBody(this.code, this.reason, this.message, this.details);
  }
}

/** A `Status` object (kind Status, status Failure unless the code is 2xx). */
export function statusBody(code, reason, message, details) {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: code < 300 ? 'Success' : 'Failure',
    ...(message !== undefined ? { message } : {}),
    ...(reason ? { reason } : {}),
    ...(details ? { details } : {}),
    code,
  };
}

const detailsOf = (info, name) => ({ name, ...(info.group ? { group: info.group } : {}), kind: info.resource });

export const apiError = {
  notFound: (info, name) => new ApiError(404, 'NotFound', `${qualifiedResource(info)} "${name}" not found`, detailsOf(info, name)),
  alreadyExists: (info, name) => new ApiError(409, 'AlreadyExists', `${qualifiedResource(info)} "${name}" already exists`, detailsOf(info, name)),
  conflict: (info, name, why = 'the object has been modified; please apply your changes to the latest version and try again') =>
    new ApiError(409, 'Conflict', `Operation cannot be fulfilled on ${qualifiedResource(info)} "${name}": ${why}`, detailsOf(info, name)),
  invalid: (info, name, why) => new ApiError(422, 'Invalid', `${info.kind}${info.group ? `.${info.group}` : ''} "${name}" is invalid: ${why}`, { ...detailsOf(info, name), kind: info.kind }),
  badRequest: (message) => new ApiError(400, 'BadRequest', message),
  namespaceMismatch: () => new ApiError(400, 'BadRequest', 'the namespace of the provided object does not match the namespace sent on the request'),
  unsupportedMediaType: (type) => new ApiError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json (got ${type})`),
  pathNotFound: () => new ApiError(404, 'NotFound', 'the server could not find the requested resource'),
  methodNotAllowed: (method) => new ApiError(405, 'MethodNotAllowed', `the server does not allow this method on the requested resource (${method})`),
};
