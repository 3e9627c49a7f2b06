/**
 * What the admin API is built from: everything it touches is injected.
 *
 * @module
 */

import type { UserSecrets } from "../auth/user_secrets.ts";
import type { Stores } from "../store/types.ts";

/**
 * The dependencies of {@linkcode createAdminApp}.
 *
 * The admin API reads and writes the same stores the SMTP side reads, so a
 * change takes effect with the next SMTP command that looks at it.
 *
 * @example
 * ```ts
 * import type { AdminDeps } from "@tollgate/tollgate/admin";
 * import type { Stores } from "@tollgate/tollgate/store";
 * function depsFor(stores: Stores): AdminDeps {
 *   return {
 *     stores,
 *     token: "a-long-random-admin-token",
 *     setPassword: (password) => Promise.resolve({ passwordHash: `$example$${password.length}` }),
 *     now: () => 0,
 *   };
 * }
 * console.log(typeof depsFor); // "function"
 * ```
 */
export interface AdminDeps {
  /** The stores the SMTP side reads too. */
  stores: Stores;
  /**
   * The bearer token every `/api` request must carry: at least 16 characters
   * of RFC 6750's `b64token` alphabet (`A-Z a-z 0-9 - . _ ~ + /`, then `=`s).
   */
  token: string;
  /** Computes the secrets to store for a new password (`createUserSecrets` in `auth/`). */
  setPassword: (password: string) => Promise<UserSecrets>;
  /** The current time in ms since the epoch; stamps `updatedAt` of users. */
  now: () => number;
  /** Receives one line per change and per failure; never a password or hash. */
  log?: (line: string) => void;
}
