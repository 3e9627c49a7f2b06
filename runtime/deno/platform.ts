/**
 * The Deno {@linkcode Platform}: KV stores and body files under the data
 * folder, `Deno.listen` listeners with TLS via `node:tls`, `Deno.serve` for
 * the admin API, Maildir, the SMTP client and DNS, `node:crypto`'s scrypt.
 *
 * @module
 */
import { createUserSecrets } from "../../auth/user_secrets.ts";
import type { Platform } from "../../server/platform.ts";
import { loadOrCreateAdminToken } from "./admin_token.ts";
import { createAuthBackend } from "./auth_backend.ts";
import { ConfigError, type TollgateConfig } from "./config.ts";
import { openStores } from "./open_stores.ts";
import { deliverToMaildir } from "./maildir.ts";
import { lookupMailHosts } from "./mx.ts";
import { nodeScryptKdf } from "./scrypt_kdf.ts";
import { deliverOverSmtp, probeRoute } from "./smtp_client.ts";
import { startSmtpServer } from "./smtp_server.ts";
import { TlsCertificate } from "./tls_server.ts";

/**
 * The Deno platform for `config`: loads the certificate (and watches it for
 * renewal until `close()`); everything else opens when the composition asks.
 *
 * @throws {ConfigError} If the certificate or key cannot be loaded.
 *
 * @example
 * ```ts ignore
 * import { composeTollgate } from "@tollgate/tollgate/server";
 * import { denoPlatform, parseConfig } from "@tollgate/tollgate/deno";
 * const config = parseConfig(Deno.env.toObject(), Deno.hostname());
 * const tollgate = await composeTollgate(config, await denoPlatform(config, console.log));
 * ```
 */
export async function denoPlatform(
  config: TollgateConfig,
  log: (line: string) => void,
): Promise<Platform> {
  const certificate = config.tls ? await loadCertificate(config.tls, log) : undefined;
  const stopWatching = certificate?.watch();
  const mailRoot = `${config.dataDir}/mail`;
  const nameServer = config.dns ? { nameServer: config.dns } : {};
  return {
    openStores: () => openStores(config, log),
    adminToken: () =>
      config.adminToken === undefined
        ? loadOrCreateAdminToken(config.dataDir)
        : Promise.resolve({ token: config.adminToken }),
    auth: (users, fresh) => createAuthBackend(config, users, fresh),
    listen: (options) => startSmtpServer({ ...options, ...(certificate ? { certificate } : {}) }),
    serve: (listen, handler) => {
      const server = Deno.serve({ ...listen, onListen: () => {} }, handler);
      return {
        address: { hostname: listen.hostname, port: (server.addr as Deno.NetAddr).port },
        shutdown: () => server.shutdown(),
      };
    },
    // Deno.serve passes its ServeHandlerInfo to the handler.
    clientAddress: (info) => (info as Deno.ServeHandlerInfo<Deno.NetAddr>).remoteAddr.hostname,
    setPassword: (password) =>
      createUserSecrets(password, { cramMd5: config.cramMd5, kdf: nodeScryptKdf }),
    probeTarget: probeRoute,
    deliverLocal: (message) =>
      deliverToMaildir(message, { root: mailRoot, hostname: config.hostname }),
    deliver: deliverOverSmtp,
    lookup: (domain) => lookupMailHosts(domain, nameServer),
    now: Date.now,
    random: (length) => crypto.getRandomValues(new Uint8Array(length)),
    log,
    close: () => stopWatching?.(),
  };
}

async function loadCertificate(
  paths: { certPath: string; keyPath: string },
  log: (line: string) => void,
): Promise<TlsCertificate> {
  try {
    return await TlsCertificate.load(paths.certPath, paths.keyPath, log);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ConfigError("TOLLGATE_TLS_CERT", `cannot load the certificate and key: ${reason}`);
  }
}
