import { deepEqual, equal, throws } from "node:assert/strict";
import {
  chooseClientMechanism,
  createClientMechanism,
  type SaslClientStep,
} from "../auth/sasl_client.ts";
import { createServerMechanism } from "../auth/mechanisms.ts";
import type { MechanismName } from "../auth/sasl.ts";
import { decodeBase64Utf8, encodeBase64 } from "../auth/base64.ts";
import { cramMd5Digest, cramMd5Secret } from "../auth/cram_md5_secret.ts";

const SEED = { username: "trottel", password: "ich" };

Deno.test("sasl client: PLAIN sends NUL user NUL password as the initial response", () => {
  const plain = createClientMechanism("PLAIN", SEED);
  equal(decodeBase64Utf8(plain.start() ?? ""), "\0trottel\0ich");
  equal(plain.next("").kind, "cancel");
});

Deno.test("sasl client: LOGIN answers user name, then password, then cancels", () => {
  const login = createClientMechanism("LOGIN", { username: "kunde0815@domain.de", password: "pä" });
  equal(login.start(), undefined);
  deepEqual(login.next("VXNlcm5hbWU6"), {
    kind: "respond",
    response: "a3VuZGUwODE1QGRvbWFpbi5kZQ==",
  });
  deepEqual(login.next("UGFzc3dvcmQ6"), { kind: "respond", response: encodeBase64("pä") });
  equal(login.next("").kind, "cancel");
});

Deno.test("sasl client: CRAM-MD5 gives RFC 2195's digest; bad or second challenges cancel", () => {
  const cram = createClientMechanism("CRAM-MD5", { username: "tim", password: "tanstaaftanstaaf" });
  equal(cram.start(), undefined);
  const step = cram.next(encodeBase64("<1896.697170952@postoffice.reston.mci.net>"));
  deepEqual(step, {
    kind: "respond",
    response: encodeBase64("tim b913a602c7eda7a495b4e6e7334d3890"),
  });
  equal(cram.next("eA==").kind, "cancel");
  equal(createClientMechanism("CRAM-MD5", SEED).next("not base64").kind, "cancel");
  equal(createClientMechanism("CRAM-MD5", SEED).next("").kind, "cancel");
});

Deno.test("sasl client: each mechanism completes against Tollgate's server side", () => {
  for (const name of ["PLAIN", "LOGIN", "CRAM-MD5"] as MechanismName[]) {
    const server = createServerMechanism(name, {
      hostname: "relay.test",
      now: 1_028_301_386_000,
      randomBytes: (n) => new Uint8Array(n).fill(7),
    });
    const client = createClientMechanism(name, SEED);
    let serverStep = server.start(client.start());
    while (serverStep.kind === "challenge") {
      const answer: SaslClientStep = client.next(encodeBase64(serverStep.challenge));
      if (answer.kind !== "respond") throw new Error(`${name} cancelled: ${answer.reason}`);
      serverStep = server.next(answer.response);
    }
    equal(serverStep.kind, "done", name);
    if (serverStep.kind !== "done") continue;
    equal(serverStep.credentials.username, "trottel", name);
    const credentials = serverStep.credentials;
    if (credentials.kind === "password") equal(credentials.password, "ich", name);
    else if (credentials.kind === "cram-md5") {
      equal(credentials.digest, cramMd5Digest(cramMd5Secret("ich"), credentials.challenge), name);
    }
  }
});

Deno.test("sasl client: the choice follows the allowed order, not the server's", () => {
  equal(chooseClientMechanism(["login", "plain", "cram-md5"]), "CRAM-MD5");
  equal(chooseClientMechanism(["LOGIN", "PLAIN"]), "PLAIN");
  equal(chooseClientMechanism(["LOGIN", "PLAIN", "CRAM-MD5"], ["LOGIN", "PLAIN"]), "LOGIN");
  equal(chooseClientMechanism([], ["LOGIN"]), undefined);
  equal(chooseClientMechanism(["XOAUTH2"]), undefined);
});

Deno.test("sasl client: unusable credentials are refused up front", () => {
  throws(() => createClientMechanism("LOGIN", { username: "", password: "x" }), TypeError);
  throws(() => createClientMechanism("PLAIN", { username: "a\0b", password: "x" }), TypeError);
  throws(() => createClientMechanism("PLAIN", { username: "a", password: "x\0" }), TypeError);
});
