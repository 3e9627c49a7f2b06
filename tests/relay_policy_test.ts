import { deepEqual } from "node:assert/strict";
import type { RecipientFacts } from "../relay/relay_policy.ts";
import { decideRecipient } from "../relay/relay_policy.ts";
import type { RecipientVerdict } from "../relay/verdict.ts";
import { test } from "./_portable.ts";

const LOCAL: RecipientVerdict = { kind: "accept", because: "local" };
const AUTHENTICATED: RecipientVerdict = { kind: "accept", because: "authenticated" };
const TRUSTED: RecipientVerdict = { kind: "accept", because: "trusted-network" };
const UNKNOWN: RecipientVerdict = { kind: "unknown-user" };
const DENIED: RecipientVerdict = { kind: "relay-denied" };

test("decideRecipient: every combination of facts", () => {
  // [isLocalDomain, userExists, authenticated, clientTrusted] -> verdict
  const table: [boolean, boolean, boolean, boolean, RecipientVerdict][] = [
    [true, true, false, false, LOCAL],
    [true, true, true, false, LOCAL],
    [true, true, false, true, LOCAL],
    [true, true, true, true, LOCAL],
    [true, false, false, false, UNKNOWN],
    [true, false, true, false, UNKNOWN],
    [true, false, false, true, UNKNOWN],
    [true, false, true, true, UNKNOWN],
    [false, false, false, false, DENIED],
    [false, true, false, false, DENIED],
    [false, false, true, false, AUTHENTICATED],
    [false, false, true, true, AUTHENTICATED],
    [false, true, true, false, AUTHENTICATED],
    [false, false, false, true, TRUSTED],
    [false, true, false, true, TRUSTED],
    [false, true, true, true, AUTHENTICATED],
  ];
  for (const [isLocalDomain, userExists, authenticated, clientTrusted, expected] of table) {
    const facts = {
      recipientDomain: "example.org",
      isLocalDomain,
      userExists,
      authenticated,
      clientTrusted,
    };
    deepEqual(decideRecipient(facts), expected, JSON.stringify(facts));
  }
});

test("decideRecipient: only a fact that is exactly true grants anything", () => {
  const truthyButNotTrue = [1, "true", "yes", {}, [], undefined, null] as unknown[];
  for (const value of truthyButNotTrue) {
    const facts = {
      recipientDomain: "example.org",
      isLocalDomain: false,
      userExists: value,
      authenticated: value,
      clientTrusted: value,
    } as unknown as RecipientFacts;
    deepEqual(decideRecipient(facts), DENIED, String(value));
    const local = { ...facts, isLocalDomain: true } as RecipientFacts;
    deepEqual(decideRecipient(local), UNKNOWN, String(value));
  }
  deepEqual(decideRecipient({} as RecipientFacts), DENIED);
});
