/**
 * The SMTP protocol core of Tollgate: runtime-agnostic and free of I/O.
 *
 * {@linkcode ServerSession} is the server side's state machine; the adapter
 * in `deno/` (or your own, for another runtime) moves the bytes and answers
 * its requests.
 *
 * @example
 * ```ts
 * import { ServerSession } from "@tollgate/tollgate/smtp";
 * const session = new ServerSession({
 *   hostname: "mail.example.net", clientAddress: "127.0.0.1", maxMessageBytes: 1 << 20,
 *   authMechanisms: ["PLAIN"], authFailureDelayMs: 1000,
 *   randomBytes: (n) => crypto.getRandomValues(new Uint8Array(n)),
 * });
 * console.log(session.start()[0]); // { kind: "send", text: "220 mail.example.net ESMTP\r\n" }
 * ```
 *
 * @module
 */
export { parseMailbox, parsePath, type PathResult } from "./address.ts";
export { type Capabilities, ehloReply, mailParameterError } from "./capabilities.ts";
export {
  type DataFeedResult,
  type DataLimits,
  type DataOutcome,
  DataReader,
} from "./data_reader.ts";
export { InputBuffer, LINE_TOO_LONG } from "./input_buffer.ts";
export { protocolWord, type ReceivedFields, receivedHeader } from "./received.ts";
export { formatReply } from "./replies.ts";
export { ServerSession } from "./server_session.ts";
export type {
  AuthAnswer,
  ServerSessionOptions,
  SessionAction,
  StoreResult,
  TlsInfo,
} from "./server_types.ts";
export {
  type ClientAction,
  type ClientAuth,
  type ClientMessage,
  type ClientSessionOptions,
  type ClientStep,
  type ClientTimeouts,
  DEFAULT_CLIENT_TIMEOUTS,
  type RecipientOutcome,
} from "./client_types.ts";
export { ClientSession } from "./client_session.ts";
export {
  NO_CAPABILITIES,
  parseCapabilities,
  type ServerCapabilities,
} from "./client_capabilities.ts";
export { type ReplyRead, ReplyReader, replyText, type SmtpReply } from "./reply_reader.ts";
export { DotStuffer } from "./dot_stuffer.ts";
export { type Refusal, SessionLimits } from "./session_limits.ts";
