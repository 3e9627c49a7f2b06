import { deepEqual, equal, throws } from "node:assert/strict";
import {
  decodeOAuthResponse,
  encodeOAuthResponse,
  oauthErrorAcknowledgement,
} from "../auth/xoauth2.ts";
import { createClientMechanism } from "../auth/sasl_client.ts";
import { test } from "./_portable.ts";

test("XOAUTH2: Google's documented initial response", () => {
  // https://developers.google.com/gmail/imap/xoauth2-protocol, the SASL XOAUTH2 example.
  equal(
    encodeOAuthResponse("XOAUTH2", {
      user: "someuser@example.com",
      token: "ya29.vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg",
    }),
    "dXNlcj1zb21ldXNlckBleGFtcGxlLmNvbQFhdXRoPUJlYXJlciB5YTI5LnZGOWRmdDRxbVRjMk52YjNSbGNrQmhkSFJoZG1semRHRXVZMjl0Q2cBAQ==",
  );
});

test("OAUTHBEARER: GS2 header with an escaped authzid, and back", () => {
  const text = encodeOAuthResponse("OAUTHBEARER", { user: "a=b,c@example.com", token: "t0k" });
  equal(atob(text), "n,a=a=3Db=2Cc@example.com,\x01auth=Bearer t0k\x01\x01");
  deepEqual(decodeOAuthResponse("OAUTHBEARER", text), { user: "a=b,c@example.com", token: "t0k" });
  equal(decodeOAuthResponse("OAUTHBEARER", btoa("n,,\x01auth=Bearer t\x01\x01")), undefined);
  equal(decodeOAuthResponse("XOAUTH2", btoa("user=u\x01auth=Basic x\x01\x01")), undefined);
  throws(() => encodeOAuthResponse("XOAUTH2", { user: "u\x01", token: "t" }), TypeError);
});

test("OAuth client mechanisms: the token first, then the dummy reply to the 334 error, once", () => {
  for (const [name, dummy] of [["XOAUTH2", ""], ["OAUTHBEARER", "AQ=="]] as const) {
    const mechanism = createClientMechanism(name, { username: "u@example.com", password: "tok" });
    deepEqual(decodeOAuthResponse(name, mechanism.start()!), {
      user: "u@example.com",
      token: "tok",
    });
    const error = btoa(JSON.stringify({ status: "401", schemes: "bearer" }));
    deepEqual(mechanism.next(error), { kind: "respond", response: dummy });
    equal(mechanism.next(error).kind, "cancel");
    equal(oauthErrorAcknowledgement(name), dummy);
  }
});
