import { deepEqual, equal } from "node:assert/strict";
import fc from "fast-check";
import { decodeBase64, decodeBase64Utf8, encodeBase64 } from "../auth/base64.ts";
import { CramMd5Mechanism } from "../auth/cram_md5.ts";
import { LoginMechanism } from "../auth/login.ts";
import { PlainMechanism } from "../auth/plain.ts";
import type { SaslStep, ServerMechanism } from "../auth/sasl.ts";
import { fuzzParameters } from "./_fuzz.ts";
import { test } from "./_portable.ts";

const BASE64_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=";
/** Text that is often base64-shaped, sometimes not: what a client may send after `334`. */
const clientLine = fc.oneof(
  fc.string({ unit: fc.constantFrom(...BASE64_ALPHABET), maxLength: 24 }),
  fc.string({ unit: "binary", maxLength: 24 }),
  fc.constantFrom("*", "=", "", " ", "AA==", "AAA=", "dGVzdA==", "dGVzdB=="),
  fc.string({ unit: "grapheme", maxLength: 12 }).map((text) => encodeBase64(text)),
);

test("fuzz base64: decoding is strict, so what decodes re-encodes to the same text", () => {
  fc.assert(
    fc.property(clientLine, (text) => {
      const bytes = decodeBase64(text);
      if (bytes !== undefined) equal(encodeBase64(bytes), text);
      const utf8 = decodeBase64Utf8(text);
      if (utf8 !== undefined) equal(encodeBase64(utf8), text);
      if (bytes === undefined) equal(utf8, undefined);
    }),
    fuzzParameters(2000),
  );
});

test("fuzz base64: any bytes and any text survive a round trip", () => {
  fc.assert(
    fc.property(
      fc.uint8Array({ maxLength: 64 }),
      fc.string({ unit: "grapheme" }),
      (bytes, text) => {
        deepEqual(decodeBase64(encodeBase64(bytes)), bytes);
        equal(decodeBase64Utf8(encodeBase64(text)), text);
      },
    ),
    fuzzParameters(2000),
  );
});

function mechanisms(): ServerMechanism[] {
  const context = {
    hostname: "mail.domain.de",
    now: 0,
    randomBytes: (n: number) => new Uint8Array(n),
  };
  return [new PlainMechanism(), new LoginMechanism(), new CramMd5Mechanism(context)];
}

/** A step the session can turn into a reply; credentials with usable fields only. */
function assertWellFormed(step: SaslStep): void {
  switch (step.kind) {
    case "challenge":
      equal(typeof step.challenge, "string");
      return;
    case "done": {
      const { credentials } = step;
      equal(credentials.username.length > 0 && !credentials.username.includes("\0"), true);
      if (credentials.kind === "password") {
        equal(credentials.password.length > 0 && !credentials.password.includes("\0"), true);
      } else if (credentials.kind === "cram-md5") {
        equal(/^[0-9a-f]{32}$/.test(credentials.digest), true);
      }
      return;
    }
    case "cancelled":
    case "malformed":
      return;
  }
}

test("fuzz SASL mechanisms: any client input gives a well-formed step, never an exception", () => {
  const initial = fc.option(clientLine, { nil: undefined });
  fc.assert(
    fc.property(initial, fc.array(clientLine, { maxLength: 4 }), (initialResponse, lines) => {
      for (const mechanism of mechanisms()) {
        let step = mechanism.start(initialResponse);
        assertWellFormed(step);
        for (const line of lines) {
          if (step.kind !== "challenge") break;
          step = mechanism.next(line);
          assertWellFormed(step);
        }
      }
    }),
    fuzzParameters(2000),
  );
});

const field = fc.string({ unit: "grapheme", minLength: 1, maxLength: 20 })
  .filter((text) => !text.includes("\0"));

test("fuzz SASL PLAIN and LOGIN: any usable user name and password come through unchanged", () => {
  fc.assert(
    fc.property(field, field, fc.boolean(), (username, password, withAuthzid) => {
      const authzid = withAuthzid ? username.toUpperCase() : "";
      const message = `${authzid}\0${username}\0${password}`;
      const expectedAuthzidOk = !withAuthzid ||
        authzid.toLowerCase() === username.toLowerCase();
      const plain = new PlainMechanism().start(encodeBase64(message));
      if (expectedAuthzidOk) {
        deepEqual(plain, {
          kind: "done",
          credentials: { kind: "password", mechanism: "PLAIN", username, password },
        });
      } else {
        deepEqual(plain, { kind: "malformed" });
      }
      const login = new LoginMechanism();
      login.start(encodeBase64(username));
      deepEqual(login.next(encodeBase64(password)), {
        kind: "done",
        credentials: { kind: "password", mechanism: "LOGIN", username, password },
      });
    }),
    fuzzParameters(2000),
  );
});
