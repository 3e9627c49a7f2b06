/**
 * A throw-away certificate authority for outbound TLS tests, made with the
 * openssl CLI: a CA and a leaf it signed for `relay.test` and 127.0.0.1
 * (`basicConstraints=critical,CA:FALSE`, so every TLS client accepts it as an
 * end entity). The client trusts the leaf only when given the CA.
 *
 * @module
 */

/** The CA's certificate and the relay's certificate and key, all PEM. */
export interface TestPki {
  caPem: string;
  certPem: string;
  keyPem: string;
}

/** The name in the relay's certificate. */
export const RELAY_NAME = "relay.test";

/** Makes a CA and a relay certificate in a temporary directory, then removes it. */
export async function makeTestPki(): Promise<TestPki> {
  const dir = await Deno.makeTempDir({ prefix: "tollgate-pki-" });
  try {
    await Deno.writeTextFile(
      `${dir}/leaf.ext`,
      `basicConstraints=critical,CA:FALSE\nsubjectAltName=DNS:${RELAY_NAME},IP:127.0.0.1\n`,
    );
    const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
    // deno-fmt-ignore
    await openssl(dir, [
      "req", "-x509", ...ec, "-days", "2", "-subj", "/CN=Tollgate Test CA",
      "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign",
      "-keyout", "ca.key", "-out", "ca.pem",
    ]);
    // deno-fmt-ignore
    await openssl(dir, [
      "req", "-new", ...ec, "-subj", `/CN=${RELAY_NAME}`, "-keyout", "leaf.key", "-out", "leaf.csr",
    ]);
    // deno-fmt-ignore
    await openssl(dir, [
      "x509", "-req", "-in", "leaf.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-set_serial", "2",
      "-days", "2", "-extfile", "leaf.ext", "-out", "leaf.pem",
    ]);
    const read = (name: string) => Deno.readTextFile(`${dir}/${name}`);
    return {
      caPem: await read("ca.pem"),
      certPem: await read("leaf.pem"),
      keyPem: await read("leaf.key"),
    };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function openssl(cwd: string, args: string[]): Promise<void> {
  const { success, stderr } = await new Deno.Command("openssl", {
    args,
    cwd,
    stdout: "null",
    stderr: "piped",
  })
    .output();
  if (!success) throw new Error(`openssl ${args[0]} failed: ${new TextDecoder().decode(stderr)}`);
}
