/**
 * The contract every `CredentialVerifier` backend passes (user store,
 * checkpassword, Dovecot, and the cache in front of any of them): one
 * suite, run against each in `credentials_verifier_contract_test.ts`.
 *
 * Every backend knows `test@domain.de` with the password `testing`.
 *
 * @module
 */
import { deepEqual, equal, notEqual } from "node:assert/strict";
import { hmac } from "@noble/hashes/hmac.js";
import { md5 } from "@noble/hashes/legacy.js";
import type { Credentials, CredentialVerifier } from "../auth/credentials.ts";

/** A backend set up for the contract. */
export interface VerifierUnderTest {
  /** The verifier, over a backend that works. */
  verifier: CredentialVerifier;
  /** The same kind of verifier over a backend that is down or broken. */
  broken: CredentialVerifier;
  /** The user name `accepted` reports for `test@domain.de`. */
  acceptedUser: string;
  /** Whether this backend checks CRAM-MD5 answers. */
  cramMd5: boolean;
  /** Stops whatever the setup started. */
  close(): Promise<void>;
}

export const USER = "test@domain.de";
export const PASSWORD = "testing";
const CHALLENGE = "<89abcdef01234567.1028301386@mail.domain.de>";
const encoder = new TextEncoder();

const password = (username: string, secret: string, mechanism: "PLAIN" | "LOGIN" = "PLAIN") =>
  ({ kind: "password", mechanism, username, password: secret }) satisfies Credentials;

function cram(secret: string, username = USER): Credentials {
  const digest = hmac(md5, encoder.encode(secret), encoder.encode(CHALLENGE)).toHex();
  return { kind: "cram-md5", mechanism: "CRAM-MD5", username, challenge: CHALLENGE, digest };
}

/** Registers one `Deno.test` for the backend, one step per clause of the contract. */
export function verifierContract(name: string, setup: () => Promise<VerifierUnderTest>): void {
  Deno.test(`verifier contract: ${name}`, async (t) => {
    const backend = await setup();
    const { verifier, acceptedUser } = backend;
    try {
      await t.step("the right password is accepted, with PLAIN and LOGIN", async () => {
        for (const mechanism of ["PLAIN", "LOGIN"] as const) {
          deepEqual(await verifier.verify(password(USER, PASSWORD, mechanism)), {
            kind: "accepted",
            user: acceptedUser,
          });
        }
      });
      await t.step("a wrong, empty or differently cased password is rejected", async () => {
        for (const secret of ["wrong", "", "Testing", `${PASSWORD} `]) {
          deepEqual(await verifier.verify(password(USER, secret)), { kind: "rejected" }, secret);
        }
      });
      await t.step("an unknown user is rejected", async () => {
        deepEqual(await verifier.verify(password("nobody@domain.de", PASSWORD)), {
          kind: "rejected",
        });
      });
      await t.step("NUL inside a field never smuggles in other fields", async () => {
        const smuggled = await verifier.verify(password(`${USER}\0${PASSWORD}`, "x"));
        notEqual(smuggled.kind, "accepted");
      });
      await t.step(
        "CRAM-MD5 answers are checked, or always rejected where unsupported",
        async () => {
          const right = await verifier.verify(cram(PASSWORD));
          deepEqual(
            right,
            backend.cramMd5 ? { kind: "accepted", user: acceptedUser } : {
              kind: "rejected",
            },
          );
          deepEqual(await verifier.verify(cram("wrong")), { kind: "rejected" });
        },
      );
      await t.step("concurrent checks each get their own answer", async () => {
        const results = await Promise.all(
          ["testing", "wrong", "testing", "nope"].map((secret) =>
            verifier.verify(password(USER, secret))
          ),
        );
        deepEqual(results.map((result) => result.kind), [
          "accepted",
          "rejected",
          "accepted",
          "rejected",
        ]);
      });
      await t.step("a backend that is down is a temporary failure, never success", async () => {
        for (const mechanism of ["PLAIN", "LOGIN"] as const) {
          const result = await backend.broken.verify(password(USER, PASSWORD, mechanism));
          equal(result.kind, "temporary-failure", JSON.stringify(result));
        }
      });
    } finally {
      await backend.close();
    }
  });
}
