import { equal } from "node:assert/strict";
import { decodeEncodedWords } from "../admin/ui/encoded_words.js";
import { test } from "./_portable.ts";

test("page: encoded words are decoded, Q and B, in any case", () => {
  equal(decodeEncodedWords("=?UTF-8?Q?Gr=C3=BC=C3=9Fe_aus_K=C3=B6ln?="), "Grüße aus Köln");
  equal(decodeEncodedWords("=?utf-8?b?R3LDvMOfZQ==?="), "Grüße");
  equal(decodeEncodedWords("=?ISO-8859-1?Q?caf=E9?="), "café");
  equal(decodeEncodedWords("=?UTF-8*de?Q?Gr=C3=BC=C3=9Fe?="), "Grüße");
});

test("page: white space between encoded words goes, around plain text it stays", () => {
  equal(decodeEncodedWords("Re: =?UTF-8?Q?a?=  \t=?UTF-8?Q?b?= c"), "Re: ab c");
});

test("page: what cannot be decoded is shown as written", () => {
  for (
    const word of [
      "=?no-such-charset?Q?x?=",
      "=?UTF-8?B?not*base64?=",
      "=?UTF-8?Q?=FF?=", // not UTF-8
      "=?UTF-8?X?x?=",
      "plain text with =? in it",
    ]
  ) {
    equal(decodeEncodedWords(word), word);
  }
});
