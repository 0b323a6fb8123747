/**
 * The one error the protobuf decoder throws: the body is not a Kubernetes protobuf message we can
 * read. The API server answers it with 400 BadRequest and this message.
 */

/** A malformed, truncated or unsupported protobuf request body. */
export class ProtobufError extends Error {
  override readonly name = 'ProtobufError';
  /** The message and JSON path being decoded when the error arose, once the decoder has added them. */
  location: string | undefined;
}
