import { deepEqual, equal } from "node:assert/strict";

const REPO = new URL("../", import.meta.url).pathname;
const CLIENT = new URL("./fixtures/example_node_client.py", import.meta.url).pathname;

/** Runs `deno task example:node` (bundle, then node) on a port the kernel picks. */
async function startExample(): Promise<{ port: number; stop: () => Promise<void> }> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["task", "--quiet", "example:node"],
    cwd: REPO,
    env: { PORT: "0" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let output = "";
  let listening: RegExpExecArray | null = null;
  // Reads all it prints, so the example never blocks on a full pipe; ends when it exits.
  const drained = Promise.all([child.stdout, child.stderr].map(async (stream) => {
    for await (const text of stream.pipeThrough(new TextDecoderStream())) output += text;
  }));
  let exited = false;
  child.status.then(() => exited = true);
  const stop = async () => {
    if (!exited) child.kill("SIGTERM");
    await Promise.all([child.status, drained]);
  };
  const deadline = Date.now() + 60_000;
  while (!(listening = /listening on 127\.0\.0\.1:(\d+)/.exec(output))) {
    if (exited || Date.now() > deadline) {
      await stop();
      throw new Error(`the example did not listen (within 60 s):\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { port: Number(listening[1]), stop };
}

Deno.test("examples/node under node: smtplib logs in with each mechanism; no relay without AUTH", async () => {
  const example = await startExample();
  try {
    const output = await new Deno.Command("python3", {
      args: [CLIENT, String(example.port)],
      stdin: "null",
    }).output();
    const text = new TextDecoder();
    equal(output.code, 0, text.decode(output.stderr));
    const result = JSON.parse(text.decode(output.stdout));
    deepEqual(result, {
      auth: { PLAIN: 235, LOGIN: 235, "CRAM-MD5": 235 },
      relay_after_auth: { PLAIN: 250, LOGIN: 250, "CRAM-MD5": 250 },
      relay_without_auth: 553,
      local_without_auth: 250,
      data: 250,
    });
  } finally {
    await example.stop();
  }
});
