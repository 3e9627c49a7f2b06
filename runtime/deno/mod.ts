/**
 * The Deno adapters: the only part of Tollgate that calls `Deno.*` or
 * `node:*` (listeners, TLS, DNS, files, `Deno.openKv`, the delivery
 * worker's Maildir, MX lookup and SMTP connections, the entry points). Use them to run
 * the whole server in your own program, or just the SMTP listener or the
 * Deno KV stores; the runtime-free parts they drive (the connection driver,
 * the delivery worker, the KV backend) are in `@tollgate/tollgate/server`,
 * `@tollgate/tollgate/delivery` and `@tollgate/tollgate/store/kv`.
 *
 * @example
 * ```ts ignore
 * import { parseConfig, startTollgate } from "@tollgate/tollgate/deno";
 * const tollgate = await startTollgate(parseConfig({
 *   TOLLGATE_SMTP: "127.0.0.1:2525", TOLLGATE_DATA: "./data",
 * }, "mail.example.net"));
 * console.log(`SMTP on port ${tollgate.smtp.port}`);
 * await tollgate.shutdown();
 * ```
 *
 * @module
 */
export { type AdminToken, loadOrCreateAdminToken } from "./admin_token.ts";
export {
  ConfigError,
  type InsecureAuthPolicy,
  type ListenAddress,
  parseConfig,
  type TollgateConfig,
} from "./config.ts";
export { openKvStores } from "./kv_open.ts";
export { openStores, openUserStore, type StoreConfig } from "./open_stores.ts";
export { describeStore, parseStoreSettings, type StoreSetting } from "./store_config.ts";
export { denoFiles } from "./files.ts";
export { nodeScryptKdf } from "./scrypt_kdf.ts";
export { type ByteStream, duplexByteStream, toDuplex, webByteStream } from "./byte_stream.ts";
export { tcpByteStream } from "./tcp_stream.ts";
export { type SmtpServer, type SmtpServerOptions, startSmtpServer } from "./smtp_server.ts";
export { TlsCertificate } from "./tls_server.ts";
export { type RunningTollgate, startTollgate } from "./tollgate.ts";
export { denoPlatform } from "./platform.ts";
export { deliverOverSmtp, probeRoute, type ProbeStep } from "./smtp_client.ts";
export { startTlsClient, type TlsClientOptions, type TlsSessionInfo } from "./tls_client.ts";
export { nodeCrypt } from "./legacy_crypt.ts";
export * from "./checkpassword_runner.ts";
export * from "./dovecot_client.ts";
export * from "./auth_backend.ts";
export * from "./maildir.ts";
export * from "./mx.ts";
