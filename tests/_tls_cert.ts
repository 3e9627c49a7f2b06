/**
 * Test certificates made with the openssl CLI: a self-signed leaf for
 * `mail.domain.de` and 127.0.0.1, with `basicConstraints=critical,CA:FALSE`
 * so that `Deno.startTls` accepts it as a trust anchor (see the platform notes).
 *
 * @module
 */

/** Where a made certificate and its key are. */
export interface TestCertificate {
  certPath: string;
  keyPath: string;
  /** The certificate in PEM, for a client's `caCerts`. */
  pem: string;
}

/** Makes a certificate with this common name in `dir` (`<name>.cert.pem`, `<name>.key.pem`). */
export async function makeTestCertificate(
  dir: string,
  name = "mail.domain.de",
): Promise<TestCertificate> {
  const certPath = `${dir}/${name}.cert.pem`;
  const keyPath = `${dir}/${name}.key.pem`;
  const { success, stderr } = await new Deno.Command("openssl", {
    args: [
      "req",
      "-x509",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:prime256v1",
      "-nodes",
      "-days",
      "2",
      "-subj",
      `/CN=${name}`,
      "-addext",
      `subjectAltName=DNS:${name},DNS:mail.domain.de,IP:127.0.0.1`,
      "-addext",
      "basicConstraints=critical,CA:FALSE",
      "-keyout",
      keyPath,
      "-out",
      certPath,
    ],
    stdout: "null",
    stderr: "piped",
  }).output();
  if (!success) throw new Error(`openssl req failed: ${new TextDecoder().decode(stderr)}`);
  return { certPath, keyPath, pem: await Deno.readTextFile(certPath) };
}
