/**
 * Request bodies in the Kubernetes protobuf encoding (Content-Type
 * application/vnd.kubernetes.protobuf), which kubectl's typed clients send: `kubectl create
 * namespace|configmap|deployment|service ...`, `kubectl debug node/...` (a Pod) and the
 * DeleteOptions of `kubectl drain --disable-eviction`. Bodies decode to the same JSON objects a
 * JSON client would have sent, so the rest of the server never sees protobuf; responses stay JSON,
 * which every client accepts.
 *
 * Layout: wire.ts (protobufjs Reader with offset-aware errors), dsl.ts (the compact message
 * description and its compiler), schemas/ (the messages, from k8s.io/api and apimachinery
 * generated.proto), wellknown.ts (Time, MicroTime, Quantity, IntOrString, FieldsV1), decode.ts
 * (schema-driven decoding), registry.ts (apiVersion/kind -> message), envelope.ts (the "k8s\0"
 * magic and runtime.Unknown).
 */
export { decodeProtobufObject, PROTOBUF_CONTENT_TYPE, unknownProtobufFields } from './envelope.js';
export { ProtobufError } from './errors.js';
export { MESSAGES, messageForKind, protobufKinds } from './registry.js';
