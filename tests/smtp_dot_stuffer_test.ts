import { equal, throws } from "node:assert/strict";
import { DotStuffer } from "../smtp/dot_stuffer.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Encodes `chunks` with one stuffer and returns the whole DATA text. */
function stuff(...chunks: string[]): string {
  const stuffer = new DotStuffer();
  let out = "";
  for (const chunk of chunks) out += decoder.decode(stuffer.push(encoder.encode(chunk)));
  return out + decoder.decode(stuffer.end());
}

Deno.test("dot stuffer: a dot at the start of a line is doubled, elsewhere not", () => {
  equal(stuff(".a\r\nb.c\r\n..d\r\n"), "..a\r\nb.c\r\n...d\r\n.\r\n");
  equal(stuff("."), "..\r\n.\r\n");
  equal(stuff(".\r\n"), "..\r\n.\r\n");
});

Deno.test("dot stuffer: the end closes an open last line, and an empty body is just the dot", () => {
  equal(stuff("no newline"), "no newline\r\n.\r\n");
  equal(stuff("line\r\n"), "line\r\n.\r\n");
  equal(stuff(), ".\r\n");
});

Deno.test("dot stuffer: bare LF and bare CR become CRLF, so no smuggled end of data survives", () => {
  equal(stuff("a\nb\n"), "a\r\nb\r\n.\r\n");
  equal(stuff("a\rb\r"), "a\r\nb\r\n.\r\n");
  // The SMTP smuggling sequences: each "." now starts a stuffed line.
  equal(stuff("x\n.\nMAIL FROM:<evil>\r\n"), "x\r\n..\r\nMAIL FROM:<evil>\r\n.\r\n");
  equal(stuff("x\r.\rRCPT\r\n"), "x\r\n..\r\nRCPT\r\n.\r\n");
  equal(stuff("x\r\n.\nRCPT\r\n"), "x\r\n..\r\nRCPT\r\n.\r\n");
});

Deno.test("dot stuffer: chunks may split anywhere, also between CR and LF", () => {
  const body = "a\r\n.b\r\n\r\n.\r\nc\rd\ne.";
  const whole = stuff(body);
  for (let cut = 0; cut <= body.length; cut++) {
    equal(stuff(body.slice(0, cut), body.slice(cut)), whole, `cut at ${cut}`);
  }
  equal(stuff("a\r", "\n.b"), "a\r\n..b\r\n.\r\n");
  equal(stuff("a\r", ""), "a\r\n.\r\n");
});

Deno.test("dot stuffer: 8-bit bytes pass unchanged", () => {
  const stuffer = new DotStuffer();
  const bytes = new Uint8Array([0xc3, 0xa4, 0x00, 0xff, 13, 10]);
  equal(stuffer.push(bytes).join(), bytes.join());
});

Deno.test("dot stuffer: nothing after the end", () => {
  const stuffer = new DotStuffer();
  stuffer.end();
  throws(() => stuffer.push(new Uint8Array(1)), TypeError);
  throws(() => stuffer.end(), TypeError);
});
