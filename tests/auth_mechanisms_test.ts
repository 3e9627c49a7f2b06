import { deepEqual, equal, notEqual } from "node:assert/strict";
import { createServerMechanism, isMechanismName } from "../auth/mechanisms.ts";
import type { MechanismContext } from "../auth/sasl.ts";
import { test } from "./_portable.ts";

const CONTEXT: MechanismContext = {
  hostname: "mail.domain.de",
  now: 0,
  randomBytes: (n) => new Uint8Array(n),
};

test("isMechanismName: parses AUTH's argument case-insensitively to the canonical name", () => {
  equal(isMechanismName("PLAIN"), "PLAIN");
  equal(isMechanismName("login"), "LOGIN");
  equal(isMechanismName("Cram-Md5"), "CRAM-MD5");
});

test("isMechanismName: anything Tollgate does not offer is undefined", () => {
  for (const text of ["DIGEST-MD5", "GSSAPI", "SCRAM-SHA-256", "", "LOGIN ", "CRAM_MD5"]) {
    equal(isMechanismName(text), undefined, text);
  }
});

test("createServerMechanism: each name gives that mechanism, fresh each time", () => {
  const plain = createServerMechanism("PLAIN", CONTEXT);
  equal(plain.name, "PLAIN");
  deepEqual(plain.start(), { kind: "challenge", challenge: "" });
  const login = createServerMechanism("LOGIN", CONTEXT);
  equal(login.name, "LOGIN");
  deepEqual(login.start(), { kind: "challenge", challenge: "Username:" });
  const cram = createServerMechanism("CRAM-MD5", CONTEXT);
  equal(cram.name, "CRAM-MD5");
  deepEqual(cram.start(), {
    kind: "challenge",
    challenge: "<0000000000000000.0@mail.domain.de>",
  });
  notEqual(createServerMechanism("PLAIN", CONTEXT), plain);
  deepEqual(createServerMechanism("PLAIN", CONTEXT).start(), { kind: "challenge", challenge: "" });
});
