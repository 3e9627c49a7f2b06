/**
 * Wires a whole Tollgate together from its settings: the KV stores, the
 * credential verifier, the SMTP listener and the admin API.
 *
 * @module
 */
import { createAdminApp } from "../../admin/app.ts";
import { auditLogLine } from "../../admin/audit_log_line.ts";
import { LoginLimiter } from "../../auth/login_limiter.ts";
import { createUserSecrets } from "../../auth/user_secrets.ts";
import { withReadCache } from "../../store/read_cache.ts";
import { loadOrCreateAdminToken } from "./admin_token.ts";
import { ClientCheckQueue } from "../../server/client_check_queue.ts";
import { createAuthBackend } from "./auth_backend.ts";
import { DeliveryWorker } from "./delivery_worker.ts";
import { ConfigError, type ListenAddress, type TollgateConfig } from "./config.ts";
import { openKvStores } from "./kv/kv_stores.ts";
import { lookupMailHosts } from "./mx.ts";
import { withTrigger } from "../../delivery/queue_trigger.ts";
import { createRouteProbe } from "./route_probe.ts";
import { nodeScryptKdf } from "./scrypt_kdf.ts";
import { deliverOverSmtp } from "./smtp_client.ts";
import { OAuthTokens } from "../../delivery/oauth_tokens.ts";
import { withOAuthTokens } from "../../delivery/oauth_delivery.ts";
import { startSmtpServer } from "./smtp_server.ts";
import { TlsCertificate } from "./tls_server.ts";

/** How long a cached domain, user, network or sender answer is served (writes here drop it at once). */
const READ_CACHE_MAX_AGE_MS = 2_000;

/** A running Tollgate. */
export interface RunningTollgate {
  /** Where SMTP listens. */
  smtp: ListenAddress;
  /** Where the submission listener (AUTH required) listens, if on. */
  submission?: ListenAddress;
  /** Where the implicit-TLS listener listens, if on. */
  submissions?: ListenAddress;
  /** Where the admin API listens. */
  admin: ListenAddress;
  /** The file holding the generated admin token, if it was not configured. */
  adminTokenPath?: string;
  /** Stops the listeners and delivery, lets sessions finish, closes the store (once, for every caller). */
  shutdown(): Promise<void>;
}

/**
 * Starts Tollgate with the given settings.
 *
 * @example
 * ```ts ignore
 * import { parseConfig, startTollgate } from "@tollgate/tollgate/deno";
 * const tollgate = await startTollgate(parseConfig(Deno.env.toObject(), Deno.hostname()));
 * console.log(tollgate.smtp.port);
 * await tollgate.shutdown();
 * ```
 */
export async function startTollgate(
  config: TollgateConfig,
  log: (line: string) => void = console.log,
): Promise<RunningTollgate> {
  await Deno.mkdir(config.dataDir, { recursive: true });
  const kv = await openKvStores(`${config.dataDir}/tollgate.kv`, {
    bodyDir: `${config.dataDir}/bodies`,
  });
  if (kv.abandonedSpools > 0) {
    log(`deleted ${kv.abandonedSpools} message bodies a crash had left unqueued`);
  }
  let wakeWorker = () => {};
  // Every commit (SMTP, bounces) and every "retry now" wakes the delivery worker.
  // Lookups per RCPT come from memory; writes through `stores` drop what they change.
  const cached = withReadCache(kv.stores, { now: Date.now, maxAgeMs: READ_CACHE_MAX_AGE_MS });
  const stores = { ...cached, queue: withTrigger(kv.stores.queue, () => wakeWorker()) };
  const adminToken = config.adminToken === undefined
    ? await loadOrCreateAdminToken(config.dataDir)
    : { token: config.adminToken, created: false };
  const auth = createAuthBackend(config, stores.users);
  log(`auth checked by ${auth.description}`);

  const certificate = config.tls ? await loadCertificate(config.tls, log) : undefined;
  const stopWatching = certificate?.watch();
  const common = {
    hostname: config.hostname,
    maxMessageBytes: config.maxMessageBytes,
    authMechanisms: auth.mechanisms,
    insecureAuth: config.insecureAuth,
    authFailureDelayMs: config.authFailureDelayMs,
    idleTimeoutMs: config.idleTimeoutMs,
    maxConnections: config.maxConnections,
    maxConnectionsPerClient: config.maxConnectionsPerClient,
    stores,
    verifier: auth.verifier,
    log,
    limiter: new LoginLimiter(),
    checks: new ClientCheckQueue(2),
    ...(certificate ? { certificate } : {}),
  };
  const smtp = startSmtpServer({ ...common, listen: config.smtp });
  const submission = config.submission
    ? startSmtpServer({ ...common, listen: config.submission, mode: "submission" })
    : undefined;
  const submissions = config.submissions
    ? startSmtpServer({ ...common, listen: config.submissions, mode: "submissions" })
    : undefined;

  const tokens = new OAuthTokens({ log });
  const app = createAdminApp({
    stores: { ...stores, users: auth.adminUsers },
    token: adminToken.token,
    setPassword: (password) =>
      createUserSecrets(password, { cramMd5: config.cramMd5, kdf: nodeScryptKdf }),
    now: Date.now,
    probeRoute: createRouteProbe({ ehloName: config.hostname, tokens }),
    routeOAuthState: (route) => tokens.state(route),
    log: (line) => log(`admin ${line}`),
    // Deno.serve passes its ServeHandlerInfo to app.fetch as Hono's env.
    clientAddress: (c) => (c.env as Deno.ServeHandlerInfo<Deno.NetAddr>).remoteAddr.hostname,
    audit: (entry) => log(auditLogLine(entry)),
  });
  const admin = Deno.serve({ ...config.admin, onListen: () => {} }, app.fetch);
  const adminAddress = admin.addr as Deno.NetAddr;

  const worker = new DeliveryWorker({
    stores,
    hostname: config.hostname,
    maildirRoot: `${config.dataDir}/mail`,
    policy: { schedule: config.queueRetry, lifetimeMs: config.queueLifetimeMs },
    concurrency: config.outboundConcurrency,
    deliver: withOAuthTokens(deliverOverSmtp, tokens),
    lookup: (domain) => lookupMailHosts(domain, config.dns ? { nameServer: config.dns } : {}),
    log,
  });
  if (config.delivery) {
    wakeWorker = () => worker.wake();
    worker.start();
    log(`delivery on: up to ${config.outboundConcurrency} outbound connections`);
  } else {
    log("delivery off (TOLLGATE_DELIVERY=off): accepted mail stays queued");
  }

  const stop = async () => {
    stopWatching?.();
    await Promise.all([
      smtp.shutdown(),
      submission?.shutdown(),
      submissions?.shutdown(),
      admin.shutdown(),
      worker.stop(),
    ]);
    kv.close();
  };
  let stopped: Promise<void> | undefined;
  return {
    smtp: smtp.address,
    ...(submission ? { submission: submission.address } : {}),
    ...(submissions ? { submissions: submissions.address } : {}),
    admin: { hostname: config.admin.hostname, port: adminAddress.port },
    ...(adminToken.path ? { adminTokenPath: adminToken.path } : {}),
    // Every caller waits for the same stop; KV is closed once.
    shutdown: () => stopped ??= stop(),
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
