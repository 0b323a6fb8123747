/**
 * OpenAPI v3 as kube-apiserver serves it, so that kubectl 1.32's `apply` (default
 * --validate=strict) finds the fieldValidation parameter and leaves validation to the server,
 * and its strategic-merge patch finds merge keys; plus the unknown-field check the server runs
 * for fieldValidation=Strict|Warn. Pure: documents are built once at import, no I/O.
 */
export { openapiV3Root, openapiV3Document, openapiV3DocumentText, openapiV3Hash, groupVersionPath } from './documents.js';
export { unknownFields, unknownFieldMessage, strictDecodingErrorMessage, cannotBeHandledMessage } from './unknown-fields.js';
export { componentSchema, schemaNameForGVK } from './registry.js';
export type { Schema } from './dsl.js';
