import { deepEqual, equal, match } from "node:assert/strict";
import { hmac } from "@noble/hashes/hmac.js";
import { md5 } from "@noble/hashes/legacy.js";
import {
  checkerVerdict,
  encodeCheckpasswordPayload,
  readCheckpasswordPayload,
} from "../auth/checkpassword.ts";
import type { Credentials } from "../auth/credentials.ts";
import { CheckpasswordVerifier, runChecker } from "../runtime/deno/checkpassword_runner.ts";

const CHECKER = new URL("./fixtures/credentials/checkpassword.py", import.meta.url).pathname;
const CHALLENGE = "<0123456789abcdef.1028301386@mail.domain.de>";
const encoder = new TextEncoder();
const decoder = new TextDecoder();

function password(mechanism: "PLAIN" | "LOGIN", secret: string, username = "test@domain.de") {
  return { kind: "password", mechanism, username, password: secret } satisfies Credentials;
}

function cram(secret: string, username = "test@domain.de"): Credentials {
  const digest = hmac(md5, encoder.encode(secret), encoder.encode(CHALLENGE)).toHex();
  return { kind: "cram-md5", mechanism: "CRAM-MD5", username, challenge: CHALLENGE, digest };
}

function payloadText(credentials: Credentials, cramOrder: "response-first" | "challenge-first") {
  const payload = encodeCheckpasswordPayload(credentials, { cramOrder });
  return payload.kind === "payload" ? decoder.decode(payload.bytes) : payload;
}

Deno.test("checkpassword payload: PLAIN and LOGIN send user, password and an empty field", () => {
  equal(payloadText(password("PLAIN", "testing"), "response-first"), "test@domain.de\0testing\0\0");
  equal(
    payloadText(password("LOGIN", "pässwort"), "challenge-first"),
    "test@domain.de\0pässwort\0\0",
  );
});

Deno.test("checkpassword payload: CRAM-MD5 in vchkpw's and in qmail-smtpd-auth 0.31's order", () => {
  const credentials = cram("testing");
  const digest = credentials.kind === "cram-md5" ? credentials.digest : "";
  equal(payloadText(credentials, "response-first"), `test@domain.de\0${digest}\0${CHALLENGE}\0`);
  equal(payloadText(credentials, "challenge-first"), `test@domain.de\0${CHALLENGE}\0${digest}\0`);
});

Deno.test("checkpassword payload: NUL inside a field or over 512 bytes is never sent", () => {
  const replay = cram("testing", `test@domain.de\0${"0".repeat(32)}\0<old@host>`);
  deepEqual(payloadText(replay, "response-first"), {
    kind: "unsendable",
    reason: "a field contains NUL",
  });
  deepEqual(payloadText(password("LOGIN", "x".repeat(500)), "response-first"), {
    kind: "unsendable",
    reason: "longer than 512 bytes",
  });
});

Deno.test("checkpassword payload: a checker reads back what was sent", () => {
  deepEqual(readCheckpasswordPayload(encoder.encode("u@d\0pw\0<1.2@h>\0")), {
    kind: "fields",
    username: "u@d",
    secret: "pw",
    extra: "<1.2@h>",
  });
  deepEqual(readCheckpasswordPayload(encoder.encode("u@d\0pw\0")), {
    kind: "fields",
    username: "u@d",
    secret: "pw",
    extra: "",
  });
  equal(readCheckpasswordPayload(encoder.encode("u@d\0pw")).kind, "invalid");
  equal(readCheckpasswordPayload(encoder.encode("\0pw\0\0")).kind, "invalid");
  equal(readCheckpasswordPayload(new Uint8Array([0xff, 0, 0x41, 0, 0])).kind, "invalid");
  equal(readCheckpasswordPayload(new Uint8Array(513)).kind, "invalid");
});

Deno.test("checkpassword verdict: only exit 0 accepts; 111, signals, no start and timeouts are 454", () => {
  deepEqual(checkerVerdict({ kind: "exited", code: 0 }, "u"), { kind: "accepted", user: "u" });
  deepEqual(checkerVerdict({ kind: "exited", code: 1 }, "u"), { kind: "rejected" });
  deepEqual(checkerVerdict({ kind: "exited", code: 2 }, "u"), { kind: "rejected" });
  for (
    const outcome of [
      { kind: "exited", code: 111 },
      { kind: "signalled", signal: "SIGSEGV" },
      { kind: "failed-to-start", reason: "ENOENT" },
      { kind: "timed-out", afterMs: 10 },
    ] as const
  ) {
    equal(checkerVerdict(outcome, "u").kind, "temporary-failure");
  }
});

function verifier(options: { args?: string[]; cramOrder?: "response-first" | "challenge-first" }) {
  const cramOrder = options.cramOrder ?? "response-first";
  const command = [CHECKER, `--cram=${cramOrder}`, ...(options.args ?? ["/bin/true"])];
  return new CheckpasswordVerifier(command, { cramOrder, timeoutMs: 5000 });
}

Deno.test("checkpassword program: LOGIN and PLAIN are accepted and refused by a real fd-3 reader", async () => {
  const checker = verifier({});
  for (const mechanism of ["LOGIN", "PLAIN"] as const) {
    deepEqual(await checker.verify(password(mechanism, "testing")), {
      kind: "accepted",
      user: "test@domain.de",
    });
    deepEqual(await checker.verify(password(mechanism, "Testing")), { kind: "rejected" });
    deepEqual(await checker.verify(password(mechanism, "testing", "nobody@domain.de")), {
      kind: "rejected",
    });
  }
});

Deno.test("checkpassword program: CRAM-MD5 in both orders, and a mismatched order refuses", async () => {
  for (const cramOrder of ["response-first", "challenge-first"] as const) {
    const checker = verifier({ cramOrder });
    deepEqual(await checker.verify(cram("testing")), { kind: "accepted", user: "test@domain.de" });
    deepEqual(await checker.verify(cram("wrong")), { kind: "rejected" });
  }
  const mismatched = new CheckpasswordVerifier([CHECKER, "--cram=challenge-first", "/bin/true"], {
    cramOrder: "response-first",
    timeoutMs: 5000,
  });
  deepEqual(await mismatched.verify(cram("testing")), { kind: "rejected" });
});

Deno.test("checkpassword program: the subprogram's exit status is the answer", async () => {
  const failing = verifier({ args: ["/bin/false"] });
  deepEqual(await failing.verify(password("LOGIN", "testing")), { kind: "rejected" });
  const missing = verifier({ args: ["/nonexistent/true"] });
  equal((await missing.verify(password("LOGIN", "testing"))).kind, "rejected");
  const none = verifier({ args: [] });
  deepEqual(await none.verify(password("LOGIN", "testing")), { kind: "rejected" });
});

Deno.test("checkpassword program: missing, crashing, hanging or failing checkers are never success", async () => {
  const missing = new CheckpasswordVerifier(["/nonexistent/checkpassword", "/bin/true"], {
    cramOrder: "response-first",
    timeoutMs: 5000,
  });
  const result = await missing.verify(password("LOGIN", "testing"));
  equal(result.kind, "temporary-failure");
  if (result.kind === "temporary-failure") match(result.reason, /did not start: .*ENOENT/);

  const crash = await verifier({ args: ["--mode=crash", "/bin/true"] })
    .verify(password("LOGIN", "testing"));
  deepEqual(crash, { kind: "temporary-failure", reason: "checker killed by SIGSEGV" });

  const temporary = await verifier({ args: ["--mode=temporary", "/bin/true"] })
    .verify(password("PLAIN", "testing"));
  equal(temporary.kind, "temporary-failure");

  const hang = new CheckpasswordVerifier([CHECKER, "--mode=hang", "/bin/true"], {
    cramOrder: "response-first",
    timeoutMs: 300,
  });
  deepEqual(await hang.verify(password("LOGIN", "testing")), {
    kind: "temporary-failure",
    reason: "checker timed out after 300 ms",
  });
});

Deno.test("checkpassword runner: the exact payload arrives on fd 3", async () => {
  const log = await Deno.makeTempFile();
  try {
    const command = ["/usr/bin/env", `CHECKER_LOG=${log}`, CHECKER, "/bin/true"];
    const bytes = encoder.encode("test@domain.de\0testing\0\0");
    deepEqual(await runChecker(command, bytes, { timeoutMs: 5000 }), { kind: "exited", code: 0 });
    equal((await Deno.readTextFile(log)).trim(), bytes.toHex());
  } finally {
    await Deno.remove(log);
  }
});
