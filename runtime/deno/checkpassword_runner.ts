/**
 * Runs checkpassword programs (`vchkpw`, `checkpassword-pam`, Tollgate's own
 * `runtime/deno/checkpassword_main.ts`) with the credentials on file descriptor 3.
 *
 * Deno's own `Deno.Command` has no extra descriptors; `node:child_process`
 * does: stdio `["ignore", "ignore", "pipe", "pipe"]` makes the child's fd 3
 * a pipe whose other end is `child.stdio[3]`.
 *
 * @module
 */
import { spawn } from "node:child_process";
import type { Writable } from "node:stream";
import {
  type CheckerOutcome,
  checkerVerdict,
  type CramOrder,
  encodeCheckpasswordPayload,
} from "../../auth/checkpassword.ts";
import type { Credentials, CredentialVerifier, VerifyResult } from "../../auth/credentials.ts";

/** Options for {@linkcode runChecker}. */
export interface RunCheckerOptions {
  /** Kill the checker (SIGKILL) and report `timed-out` after this long. */
  timeoutMs: number;
}

/**
 * Runs `command` (`[checker, subprogram, ...args]`) with `payload` on fd 3
 * and reports how it ended; never throws. The checker's stdout is
 * discarded, its stderr read (and dropped) so it cannot block on a full pipe.
 *
 * @example
 * ```ts
 * import { runChecker } from "@tollgate/tollgate/deno";
 * const outcome = await runChecker(["/bin/false"], new Uint8Array(), { timeoutMs: 5000 });
 * console.log(outcome); // { kind: "exited", code: 1 }
 * ```
 */
export function runChecker(
  command: readonly string[],
  payload: Uint8Array,
  options: RunCheckerOptions,
): Promise<CheckerOutcome> {
  return new Promise((resolve) => {
    let settled = false;
    const settle = (outcome: CheckerOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(outcome);
    };
    const child = spawn(command[0], command.slice(1), {
      stdio: ["ignore", "ignore", "pipe", "pipe"],
    });
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      settle({ kind: "timed-out", afterMs: options.timeoutMs });
    }, options.timeoutMs);
    child.on("error", (error) => settle({ kind: "failed-to-start", reason: error.message }));
    child.on("exit", (code, signal) => {
      settle(signal === null ? { kind: "exited", code: code ?? 1 } : { kind: "signalled", signal });
    });
    child.stderr?.on("error", () => {}).resume();
    const fd3 = child.stdio[3] as Writable | null | undefined;
    // A checker that exits without reading gives EPIPE here: its exit status decides.
    fd3?.on("error", () => {});
    fd3?.end(payload);
  });
}

/** Options for {@linkcode CheckpasswordVerifier}. */
export interface CheckpasswordVerifierOptions {
  /** The order of CRAM-MD5's response and challenge on fd 3. */
  cramOrder: CramOrder;
  /** How long a checker may run. */
  timeoutMs: number;
}

/**
 * A `CredentialVerifier` that asks a checkpassword program, as qmail-smtpd
 * with the SMTP AUTH patch did (`vchkpw /bin/true`). The accepted user is
 * the user name as sent: a checker has no way to report another.
 *
 * @example
 * ```ts ignore
 * import { CheckpasswordVerifier } from "@tollgate/tollgate/deno";
 * const verifier = new CheckpasswordVerifier(["/home/vpopmail/bin/vchkpw", "/bin/true"], {
 *   cramOrder: "response-first", timeoutMs: 10_000,
 * });
 * console.log(await verifier.verify({
 *   kind: "password", mechanism: "LOGIN", username: "test@domain.de", password: "testing",
 * }));
 * ```
 */
export class CheckpasswordVerifier implements CredentialVerifier {
  #command: readonly string[];
  #options: CheckpasswordVerifierOptions;

  /** Runs `command` (checker, subprogram, arguments) for every check. */
  constructor(command: readonly string[], options: CheckpasswordVerifierOptions) {
    if (command.length === 0) throw new RangeError("Cannot run checkpassword: no command given");
    this.#command = [...command];
    this.#options = { ...options };
  }

  /** Runs the checker once; never throws. */
  async verify(credentials: Credentials): Promise<VerifyResult> {
    const payload = encodeCheckpasswordPayload(credentials, this.#options);
    if (payload.kind === "unsendable") return { kind: "rejected" };
    const outcome = await runChecker(this.#command, payload.bytes, this.#options);
    return checkerVerdict(outcome, credentials.username);
  }
}
