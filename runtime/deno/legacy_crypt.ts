/**
 * crypt(3) for imported `$1$`, `$5$` and `$6$` hashes, from npm libraries that
 * need `node:crypto` (hence here, not in `auth/`): `unixcrypt` for SHA-256
 * and SHA-512 crypt, `apache-md5` for MD5 crypt.
 *
 * @module
 */
import * as apacheMd5 from "apache-md5";
import { encrypt as shaCrypt } from "unixcrypt";

/**
 * The package is CommonJS (`module.exports = fn`) with an ES-style `.d.ts`, which
 * TypeScript reads as a namespace; at run time the default export is the function.
 */
const md5Crypt = apacheMd5.default as unknown as (password: string, setting: string) => string;

/**
 * A `CryptFunction` (see `auth/legacy_hashes.ts`): hashes `password` (UTF-8)
 * with `setting` (`$1$salt`, `$5$[rounds=N$]salt`, `$6$[rounds=N$]salt`) and
 * returns the whole crypt(3) string, as glibc's `crypt()` would. Throws a
 * TypeError for any other setting.
 *
 * `apache-md5` feeds its input through Node's single-byte `"ascii"` encoding,
 * so the password goes in as one character per UTF-8 byte: glibc hashes
 * bytes, and non-ASCII passwords then hash as they do there.
 *
 * @example
 * ```ts
 * import { nodeCrypt } from "@tollgate/tollgate/deno";
 * console.log(nodeCrypt("testing", "$1$abc")); // "$1$abc$dxj9ACvtfISEB1n1DCzaL/"
 * ```
 */
export function nodeCrypt(password: string, setting: string): string {
  if (setting.startsWith("$1$")) {
    const bytes = new TextEncoder().encode(password);
    return md5Crypt(String.fromCharCode(...bytes), setting);
  }
  if (setting.startsWith("$5$") || setting.startsWith("$6$")) return shaCrypt(password, setting);
  throw new TypeError(`Cannot run crypt(3): unsupported setting ${setting.slice(0, 3)}`);
}
