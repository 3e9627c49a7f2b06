import { deepEqual, equal } from "node:assert/strict";
import { decodeBase64, decodeBase64Utf8, encodeBase64 } from "../auth/base64.ts";
import { test } from "./_portable.ts";

test("base64: decodes padded standard base64", () => {
  deepEqual(decodeBase64("dGVzdA=="), new Uint8Array([116, 101, 115, 116]));
  deepEqual(decodeBase64("dGVzdDE="), new TextEncoder().encode("test1"));
  deepEqual(decodeBase64("dGVzdDEy"), new TextEncoder().encode("test12"));
  deepEqual(decodeBase64("+/8="), new Uint8Array([0xfb, 0xff]));
  deepEqual(decodeBase64(""), new Uint8Array(0));
});

test("base64: refuses everything that is not strict RFC 4648 base64", () => {
  const bad = [
    "dGVzdA", // padding missing
    "dGVzdA=", // padding short
    "dGVzdA===", // padding long
    "dGVz dA==", // inner space
    "dGVzdA==\n", // trailing newline
    " dGVzdA==", // leading space
    "dGVzdB==", // non-zero padding bits
    "-_8=", // URL alphabet
    "dG=zdA==", // padding in the middle
    "=",
    "*",
  ];
  for (const text of bad) equal(decodeBase64(text), undefined, JSON.stringify(text));
});

test("base64: decodes UTF-8 text, refusing bytes that are not UTF-8", () => {
  equal(decodeBase64Utf8("dGVzdEBkb21haW4uZGU="), "test@domain.de");
  equal(decodeBase64Utf8("w6TDtsO8"), "äöü");
  equal(decodeBase64Utf8("/w=="), undefined);
  equal(decodeBase64Utf8("5A=="), undefined); // Latin-1 "ä"
  equal(decodeBase64Utf8("dGVzdA"), undefined);
});

test("base64: encodes strings as UTF-8 and bytes as they are", () => {
  equal(encodeBase64("Username:"), "VXNlcm5hbWU6");
  equal(encodeBase64("Password:"), "UGFzc3dvcmQ6");
  equal(encodeBase64("äöü"), "w6TDtsO8");
  equal(encodeBase64(new Uint8Array([0xfb, 0xff])), "+/8=");
  equal(encodeBase64(""), "");
});
