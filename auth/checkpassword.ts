/**
 * The checkpassword interface (D. J. Bernstein's, as qmail, vpopmail's
 * `vchkpw` and Dovecot's `checkpassword` driver use it): the checker reads
 * `user\0secret\0extra\0` from file descriptor 3, runs its subprogram and
 * exits 0 if it accepts, exits non-zero if it does not. This file holds the
 * pure parts: the payload for each mechanism, reading a payload, and what a
 * checker's end means. `runtime/deno/checkpassword_runner.ts` runs the programs.
 *
 * @module
 */
import type { Credentials, VerifyResult } from "./credentials.ts";

/**
 * Where CRAM-MD5's two values go: `response-first` is vchkpw's order
 * (`user\0response\0challenge\0`), `challenge-first` qmail-smtpd-auth 0.31's
 * (`user\0challenge\0response\0`).
 *
 * @example
 * ```ts
 * import { type CramOrder, encodeCheckpasswordPayload } from "@tollgate/tollgate/auth";
 * const cramOrder: CramOrder = "challenge-first";
 * const payload = encodeCheckpasswordPayload({
 *   kind: "cram-md5", mechanism: "CRAM-MD5", username: "u", challenge: "<1.2@h>", digest: "d",
 * }, { cramOrder });
 * if (payload.kind === "payload") console.log(new TextDecoder().decode(payload.bytes));
 * // "u\0<1.2@h>\0d\0"
 * ```
 */
export type CramOrder = "response-first" | "challenge-first";

/**
 * checkpassword programs read at most this many bytes from fd 3.
 *
 * @example
 * ```ts
 * import { encodeCheckpasswordPayload, MAX_CHECKPASSWORD_PAYLOAD } from "@tollgate/tollgate/auth";
 * const payload = encodeCheckpasswordPayload({
 *   kind: "password", mechanism: "PLAIN", username: "u",
 *   password: "x".repeat(MAX_CHECKPASSWORD_PAYLOAD),
 * }, { cramOrder: "response-first" });
 * console.log(MAX_CHECKPASSWORD_PAYLOAD, payload.kind); // 512 "unsendable"
 * ```
 */
export const MAX_CHECKPASSWORD_PAYLOAD = 512;

/**
 * checkpassword's "temporary problem" exit status (qmail, vchkpw, Dovecot).
 *
 * @example
 * ```ts
 * import { CHECKPASSWORD_TEMPORARY_EXIT, checkerVerdict } from "@tollgate/tollgate/auth";
 * const verdict = checkerVerdict({ kind: "exited", code: CHECKPASSWORD_TEMPORARY_EXIT }, "u");
 * console.log(CHECKPASSWORD_TEMPORARY_EXIT, verdict.kind); // 111 "temporary-failure"
 * ```
 */
export const CHECKPASSWORD_TEMPORARY_EXIT = 111;

/**
 * The payload for fd 3, or why these credentials cannot be sent.
 *
 * @example
 * ```ts
 * import type { CheckpasswordPayload } from "@tollgate/tollgate/auth";
 * const payload: CheckpasswordPayload = { kind: "unsendable", reason: "a field contains NUL" };
 * console.log(payload.kind); // "unsendable"
 * ```
 */
export type CheckpasswordPayload =
  | { kind: "payload"; bytes: Uint8Array }
  | { kind: "unsendable"; reason: string };

/**
 * How a checker run ended, as the runner saw it.
 *
 * @example
 * ```ts
 * import { type CheckerOutcome, checkerVerdict } from "@tollgate/tollgate/auth";
 * const outcome: CheckerOutcome = { kind: "exited", code: 0 };
 * console.log(checkerVerdict(outcome, "test@domain.de"));
 * // { kind: "accepted", user: "test@domain.de" }
 * ```
 */
export type CheckerOutcome =
  | { kind: "exited"; code: number }
  | { kind: "signalled"; signal: string }
  | { kind: "failed-to-start"; reason: string }
  | { kind: "timed-out"; afterMs: number };

/**
 * The three fields of a payload a checker received.
 *
 * @example
 * ```ts
 * import { type ReadPayload, readCheckpasswordPayload } from "@tollgate/tollgate/auth";
 * const read: ReadPayload = readCheckpasswordPayload(new TextEncoder().encode("u\0p\0\0"));
 * if (read.kind === "fields") console.log(read.username, read.secret); // u p
 * ```
 */
export type ReadPayload =
  | { kind: "fields"; username: string; secret: string; extra: string }
  | { kind: "invalid"; reason: string };

const ENCODER = new TextEncoder();

/**
 * The fd-3 payload for `credentials`: `user\0password\0\0` for PLAIN and
 * LOGIN; for CRAM-MD5 the user, then response and challenge in `cramOrder`.
 *
 * A field containing NUL is `unsendable`: it would shift the fields (a user
 * name `victim\0digest\0challenge` could replay an old CRAM-MD5 answer). So
 * is a payload over {@linkcode MAX_CHECKPASSWORD_PAYLOAD} bytes, which a
 * checker would cut short.
 *
 * @example
 * ```ts
 * import { encodeCheckpasswordPayload } from "@tollgate/tollgate/auth";
 * const payload = encodeCheckpasswordPayload({
 *   kind: "password", mechanism: "PLAIN", username: "test@domain.de", password: "testing",
 * }, { cramOrder: "response-first" });
 * if (payload.kind === "payload") console.log(new TextDecoder().decode(payload.bytes));
 * // "test@domain.de\0testing\0\0"
 * ```
 */
export function encodeCheckpasswordPayload(
  credentials: Credentials,
  options: { cramOrder: CramOrder },
): CheckpasswordPayload {
  if (credentials.kind === "oauth") return { kind: "unsendable", reason: "a bearer token" };
  const fields = credentials.kind === "password"
    ? [credentials.username, credentials.password, ""]
    : options.cramOrder === "response-first"
    ? [credentials.username, credentials.digest, credentials.challenge]
    : [credentials.username, credentials.challenge, credentials.digest];
  if (fields.some((field) => field.includes("\0"))) {
    return { kind: "unsendable", reason: "a field contains NUL" };
  }
  const bytes = ENCODER.encode(fields.map((field) => `${field}\0`).join(""));
  if (bytes.length > MAX_CHECKPASSWORD_PAYLOAD) {
    return { kind: "unsendable", reason: `longer than ${MAX_CHECKPASSWORD_PAYLOAD} bytes` };
  }
  return { kind: "payload", bytes };
}

/**
 * Reads a payload as a checker receives it: user, secret and the optional
 * third field (empty for passwords; qmail-popup puts a timestamp there,
 * CRAM-MD5 the challenge or the response), each ended by NUL.
 *
 * @example
 * ```ts
 * import { readCheckpasswordPayload } from "@tollgate/tollgate/auth";
 * const bytes = new TextEncoder().encode("test@domain.de\0testing\0\0");
 * console.log(readCheckpasswordPayload(bytes));
 * // { kind: "fields", username: "test@domain.de", secret: "testing", extra: "" }
 * ```
 */
export function readCheckpasswordPayload(bytes: Uint8Array): ReadPayload {
  if (bytes.length > MAX_CHECKPASSWORD_PAYLOAD) {
    return { kind: "invalid", reason: `longer than ${MAX_CHECKPASSWORD_PAYLOAD} bytes` };
  }
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return { kind: "invalid", reason: "not UTF-8" };
  }
  const fields = text.split("\0");
  if (fields.length < 3 || fields[0] === "") {
    return { kind: "invalid", reason: "expected user\\0secret\\0 at least" };
  }
  return { kind: "fields", username: fields[0], secret: fields[1], extra: fields[2] ?? "" };
}

/**
 * What a checker's end means for the login: exit 0 accepts `username`;
 * exit 111 (checkpassword's "temporary problem"), a signal, a program that
 * could not start and a timeout are temporary failures (`454`), never an
 * acceptance; any other exit status rejects (`535`).
 *
 * @example
 * ```ts
 * import { checkerVerdict } from "@tollgate/tollgate/auth";
 * console.log(checkerVerdict({ kind: "exited", code: 1 }, "test@domain.de")); // { kind: "rejected" }
 * console.log(checkerVerdict({ kind: "signalled", signal: "SIGSEGV" }, "test@domain.de").kind);
 * // "temporary-failure"
 * ```
 */
export function checkerVerdict(outcome: CheckerOutcome, username: string): VerifyResult {
  switch (outcome.kind) {
    case "exited":
      if (outcome.code === 0) return { kind: "accepted", user: username };
      if (outcome.code !== CHECKPASSWORD_TEMPORARY_EXIT) return { kind: "rejected" };
      return { kind: "temporary-failure", reason: "checker reported a temporary problem (111)" };
    case "signalled":
      return { kind: "temporary-failure", reason: `checker killed by ${outcome.signal}` };
    case "failed-to-start":
      return { kind: "temporary-failure", reason: `checker did not start: ${outcome.reason}` };
    case "timed-out":
      return { kind: "temporary-failure", reason: `checker timed out after ${outcome.afterMs} ms` };
  }
}
