/**
 * Wires a whole Tollgate together from its settings and a {@linkcode Platform}:
 * the stores (read cache, delivery trigger), the credential verifier, the
 * SMTP listeners, the admin API and the delivery worker.
 *
 * @module
 */
import { createAdminApp } from "../admin/app.ts";
import { withOAuthTokens } from "../delivery/oauth_delivery.ts";
import { OAuthTokens } from "../delivery/oauth_tokens.ts";
import { createRouteProbe } from "../delivery/route_target.ts";
import { auditLogLine } from "../admin/audit_log_line.ts";
import { LoginLimiter } from "../auth/login_limiter.ts";
import { SharedLoginLimiter } from "../auth/shared_login_limiter.ts";
import { DeliveryWorker } from "../delivery/delivery_worker.ts";
import { createDkimSigner } from "../delivery/dkim_signer.ts";
import { withTrigger } from "../delivery/queue_trigger.ts";
import { withReadCache } from "../store/read_cache.ts";
import { ClientCheckQueue } from "./client_check_queue.ts";
import { PrometheusMetrics } from "./metrics/tollgate_metrics.ts";
import { type OAuthLoginSettings, withOAuthLogin } from "./oauth_login.ts";
import type { InsecureAuthPolicy, ListenAddress, Platform } from "./platform.ts";

/** How long a cached domain, user, network or sender answer is served (writes here drop it at once). */
const READ_CACHE_MAX_AGE_MS = 2_000;
/** How often a shared store's expired login failures and ended bans are deleted (and once at start). */
const LOGIN_SWEEP_INTERVAL_MS = 5 * 60_000;

/**
 * The settings {@linkcode composeTollgate} reads (a `TollgateConfig` fits).
 *
 * @example
 * ```ts
 * import type { TollgateSettings } from "@tollgate/tollgate/server";
 * const settings: TollgateSettings = {
 *   hostname: "mail.domain.de", smtp: { hostname: "127.0.0.1", port: 2525 },
 *   admin: { hostname: "127.0.0.1", port: 8025 }, maxMessageBytes: 10_000_000,
 *   insecureAuth: "loopback", authFailureDelayMs: 2000, idleTimeoutMs: 300_000,
 *   maxConnections: 100, maxConnectionsPerClient: 10, queueRetry: [60_000],
 *   queueLifetimeMs: 604_800_000, outboundConcurrency: 20, delivery: true,
 * };
 * console.log(settings.smtp.port); // 2525
 * ```
 */
export interface TollgateSettings {
  /** The name in the greeting, Received headers, EHLO and bounces. */
  hostname: string;
  /** Where SMTP listens. */
  smtp: ListenAddress;
  /** Where the submission listener (AUTH required) listens, if on. */
  submission?: ListenAddress;
  /** Where the implicit-TLS listener listens, if on. */
  submissions?: ListenAddress;
  /** Where the admin API listens. */
  admin: ListenAddress;
  /** The largest message accepted. */
  maxMessageBytes: number;
  /** Where AUTH is offered without TLS. */
  insecureAuth: InsecureAuthPolicy;
  /** The pause before `535`. */
  authFailureDelayMs: number;
  /** How long a silent client is kept before `421`. */
  idleTimeoutMs: number;
  /** SMTP connections served at once. */
  maxConnections: number;
  /** SMTP connections from one client address at once. */
  maxConnectionsPerClient: number;
  /** The retry schedule (ms after each failed attempt). */
  queueRetry: number[];
  /** How long a message may stay queued before it bounces. */
  queueLifetimeMs: number;
  /** Outbound SMTP connections at once. */
  outboundConcurrency: number;
  /** Whether the delivery worker runs (off: accepted mail stays queued). */
  delivery: boolean;
  /** Logins with tokens of this identity provider (XOAUTH2, OAUTHBEARER), if set. */
  oauth?: OAuthLoginSettings;
  /** A bearer token that opens `GET /metrics` (and nothing else) besides the admin token. */
  metricsToken?: string;
}

/**
 * A running Tollgate.
 *
 * @example
 * ```ts ignore
 * const tollgate: RunningTollgate = await composeTollgate(settings, platform);
 * console.log(tollgate.smtp.port);
 * await tollgate.shutdown();
 * ```
 */
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
 * Starts Tollgate with the given settings on the given platform.
 *
 * @example
 * ```ts ignore
 * import { composeTollgate } from "@tollgate/tollgate/server";
 * const tollgate = await composeTollgate(settings, platform); // platform: a runtime's parts
 * console.log(tollgate.smtp.port);
 * await tollgate.shutdown();
 * ```
 */
export async function composeTollgate(
  settings: TollgateSettings,
  platform: Platform,
): Promise<RunningTollgate> {
  const { log } = platform;
  const opened = await platform.openStores();
  if (opened.abandonedSpools > 0) {
    log(`deleted ${opened.abandonedSpools} message bodies a crash had left unqueued`);
  }
  let wakeWorker = () => {};
  // Every commit (SMTP, bounces) and every "retry now" wakes the delivery worker.
  // Lookups per RCPT come from memory; writes through `stores` drop what they change.
  const cached = withReadCache(opened.stores, {
    now: platform.now,
    maxAgeMs: READ_CACHE_MAX_AGE_MS,
  });
  const stores = { ...cached, queue: withTrigger(opened.stores.queue, () => wakeWorker()) };
  const adminToken = await platform.adminToken();
  const auth = withOAuthLogin(
    platform.auth(stores.users, opened.stores.users),
    settings.oauth,
    stores,
  );
  log(`auth checked by ${auth.description}`);

  const metrics = new PrometheusMetrics({ queue: opened.stores.queue, now: platform.now });
  // Shared failures and bans when the store holds them (PostgreSQL); else this process's memory.
  const sharedLimiter = opened.stores.loginAttempts
    ? new SharedLoginLimiter(opened.stores.loginAttempts)
    : undefined;
  const sweepLogins = async () => {
    try {
      const deleted = await sharedLimiter?.sweep(platform.now()) ?? 0;
      if (deleted > 0) log(`deleted ${deleted} expired login failures and ended bans`);
    } catch (error) {
      log(`login failures and bans: sweep failed: ${error}`);
    }
  };
  await sweepLogins();
  const loginSweeps = sharedLimiter ? setInterval(sweepLogins, LOGIN_SWEEP_INTERVAL_MS) : undefined;
  const common = {
    metrics,
    hostname: settings.hostname,
    maxMessageBytes: settings.maxMessageBytes,
    authMechanisms: auth.mechanisms,
    insecureAuth: settings.insecureAuth,
    authFailureDelayMs: settings.authFailureDelayMs,
    idleTimeoutMs: settings.idleTimeoutMs,
    now: platform.now,
    maxConnections: settings.maxConnections,
    maxConnectionsPerClient: settings.maxConnectionsPerClient,
    stores,
    verifier: auth.verifier,
    log,
    limiter: sharedLimiter ?? new LoginLimiter(),
    checks: new ClientCheckQueue(2),
  };
  const smtp = platform.listen({ ...common, listen: settings.smtp });
  const submission = settings.submission
    ? platform.listen({ ...common, listen: settings.submission, mode: "submission" })
    : undefined;
  const submissions = settings.submissions
    ? platform.listen({ ...common, listen: settings.submissions, mode: "submissions" })
    : undefined;

  const tokens = new OAuthTokens({ log });
  const app = createAdminApp({
    stores: { ...stores, users: auth.adminUsers },
    token: adminToken.token,
    ...(settings.metricsToken === undefined ? {} : { metricsToken: settings.metricsToken }),
    setPassword: platform.setPassword,
    now: platform.now,
    probeRoute: createRouteProbe({
      ehloName: settings.hostname,
      tokens,
      probe: platform.probeTarget,
    }),
    routeOAuthState: (route) => tokens.state(route),
    log: (line) => log(`admin ${line}`),
    // The platform's server passes its request info to app.fetch as Hono's env.
    clientAddress: (c) => platform.clientAddress(c.env),
    audit: (entry) => log(auditLogLine(entry)),
    metrics: () => metrics.render(),
  });
  const admin = platform.serve(settings.admin, app.fetch);

  const worker = new DeliveryWorker({
    stores,
    hostname: settings.hostname,
    policy: { schedule: settings.queueRetry, lifetimeMs: settings.queueLifetimeMs },
    concurrency: settings.outboundConcurrency,
    deliverLocal: platform.deliverLocal,
    deliver: withOAuthTokens(platform.deliver, tokens),
    lookup: platform.lookup,
    log,
    now: platform.now,
    random: platform.random,
    sign: createDkimSigner({ keys: stores.dkim, networks: stores.networks, now: platform.now }),
    ...(opened.shared
      ? {
        leases: {
          store: opened.shared.leases,
          owner: opened.shared.node,
          leaseMs: opened.shared.leaseMs,
        },
      }
      : {}),
    metrics,
  });
  if (settings.delivery) {
    wakeWorker = () => worker.wake();
    worker.start();
    if (opened.shared) {
      await opened.shared.listen(() => worker.wake());
      log(`delivery shared as node ${opened.shared.node}, leases of ${opened.shared.leaseMs} ms`);
    }
    log(`delivery on: up to ${settings.outboundConcurrency} outbound connections`);
  } else {
    log("delivery off (TOLLGATE_DELIVERY=off): accepted mail stays queued");
  }

  const stop = async () => {
    clearInterval(loginSweeps);
    platform.close();
    await Promise.all([
      smtp.shutdown(),
      submission?.shutdown(),
      submissions?.shutdown(),
      admin.shutdown(),
      worker.stop(),
    ]);
    await opened.close();
  };
  let stopped: Promise<void> | undefined;
  return {
    smtp: smtp.address,
    ...(submission ? { submission: submission.address } : {}),
    ...(submissions ? { submissions: submissions.address } : {}),
    admin: admin.address,
    ...(adminToken.path ? { adminTokenPath: adminToken.path } : {}),
    // Every caller waits for the same stop; the stores are closed once.
    shutdown: () => stopped ??= stop(),
  };
}
