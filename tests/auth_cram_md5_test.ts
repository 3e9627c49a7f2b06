import { deepEqual, equal, throws } from "node:assert/strict";
import { encodeBase64 } from "../auth/base64.ts";
import { CramMd5Mechanism } from "../auth/cram_md5.ts";
import type { MechanismContext } from "../auth/sasl.ts";
import { test } from "./_portable.ts";

const RFC_DIGEST = "b913a602c7eda7a495b4e6e7334d3890";

function context(requested: number[] = []): MechanismContext {
  return {
    hostname: "mail.domain.de",
    now: 1_028_301_386_999,
    randomBytes: (n) => {
      requested.push(n);
      return Uint8Array.from({ length: n }, (_, i) => 0xa0 + i);
    },
  };
}

function started(): { cram: CramMd5Mechanism; challenge: string } {
  const cram = new CramMd5Mechanism(context());
  const step = cram.start();
  if (step.kind !== "challenge") throw new TypeError(`Expected a challenge, got ${step.kind}`);
  return { cram, challenge: step.challenge };
}

test("CRAM-MD5: the challenge is <RANDOM.TIME@hostname> from 8 injected random bytes", () => {
  const requested: number[] = [];
  const step = new CramMd5Mechanism(context(requested)).start();
  deepEqual(step, {
    kind: "challenge",
    challenge: "<a0a1a2a3a4a5a6a7.1028301386@mail.domain.de>",
  });
  deepEqual(requested, [8]);
});

test("CRAM-MD5: `user SP digest` completes with the challenge that was sent", () => {
  const { cram, challenge } = started();
  deepEqual(cram.next(encodeBase64(`tim ${RFC_DIGEST}`)), {
    kind: "done",
    credentials: {
      kind: "cram-md5",
      mechanism: "CRAM-MD5",
      username: "tim",
      challenge,
      digest: RFC_DIGEST,
    },
  });
});

test("CRAM-MD5: an upper-case digest is passed on lower-cased", () => {
  const { cram } = started();
  const step = cram.next(encodeBase64(`tim ${RFC_DIGEST.toUpperCase()}`));
  equal(
    step.kind === "done" && step.credentials.kind === "cram-md5" && step.credentials.digest,
    RFC_DIGEST,
  );
});

test("CRAM-MD5: the user name is everything before the last space", () => {
  const { cram } = started();
  const step = cram.next(encodeBase64(`tim smith ${RFC_DIGEST}`));
  equal(step.kind === "done" && step.credentials.username, "tim smith");
});

test("CRAM-MD5: anything but `user SP 32-hex-digest` is malformed", () => {
  const responses = [
    RFC_DIGEST, // no user
    ` ${RFC_DIGEST}`, // empty user
    `tim ${RFC_DIGEST.slice(1)}`, // 31 digits
    `tim ${RFC_DIGEST}0`, // 33 digits
    `tim ${RFC_DIGEST.slice(1)}g`, // not hex
    `tim\t${RFC_DIGEST}`, // tab, not space
    `tim ${RFC_DIGEST} `, // trailing space
    `t\0m ${RFC_DIGEST}`, // NUL in the user name
    "",
  ];
  for (const response of responses) {
    const { cram } = started();
    deepEqual(cram.next(encodeBase64(response)), { kind: "malformed" }, JSON.stringify(response));
  }
});

test("CRAM-MD5: bad base64 is malformed, `*` cancels", () => {
  const bad = started();
  deepEqual(bad.cram.next("dGltIGI5MTNh YTYw"), { kind: "malformed" });
  const cancel = started();
  deepEqual(cancel.cram.next("*"), { kind: "cancelled" });
});

test("CRAM-MD5: an initial response is a protocol error (RFC 2195 has none)", () => {
  const requested: number[] = [];
  const cram = new CramMd5Mechanism(context(requested));
  deepEqual(cram.start(encodeBase64(`tim ${RFC_DIGEST}`)), { kind: "malformed" });
  deepEqual(new CramMd5Mechanism(context()).start("="), { kind: "malformed" });
  deepEqual(requested, []);
  throws(() => cram.next("*"), TypeError);
});

test("CRAM-MD5: a line after the end, or before the start, is a programming error", () => {
  const { cram } = started();
  cram.next(encodeBase64(`tim ${RFC_DIGEST}`));
  throws(() => cram.next(encodeBase64(`tim ${RFC_DIGEST}`)), TypeError);
  throws(() => new CramMd5Mechanism(context()).next("*"), TypeError);
  throws(() => cram.start(), TypeError);
});
