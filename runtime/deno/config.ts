/**
 * Tollgate's settings, read from the environment. Every setting is in the
 * README; a bad value stops start-up with one line naming the setting.
 *
 * @module
 */
import { isIP } from "node:net";
import {
  DEFAULT_QUEUE_LIFETIME,
  DEFAULT_RETRY_SCHEDULE,
  parseDuration,
  parseRetrySchedule,
} from "../../delivery/retry_policy.ts";
import type { CramOrder } from "../../auth/checkpassword.ts";
import type { InsecureAuthPolicy, ListenAddress } from "../../server/platform.ts";
import type { OAuthLoginSettings } from "../../server/oauth_login.ts";
import { type DovecotAddress, parseDovecotAddress } from "./dovecot_client.ts";
import { parseStoreSettings, type StoreSetting } from "./store_config.ts";
import { ConfigError } from "./config_error.ts";

export { ConfigError };

export type { InsecureAuthPolicy, ListenAddress, StoreSetting };

/** Every setting, parsed and checked. */
export interface TollgateConfig {
  /** `TOLLGATE_HOSTNAME`: the name in the greeting and Received headers. */
  hostname: string;
  /** `TOLLGATE_SMTP`: the SMTP listener. */
  smtp: ListenAddress;
  /** `TOLLGATE_SUBMISSION`: the RFC 6409 submission listener (AUTH required); absent when `off`. */
  submission?: ListenAddress;
  /** `TOLLGATE_SUBMISSIONS`: the RFC 8314 implicit-TLS listener; only with a certificate. */
  submissions?: ListenAddress;
  /** `TOLLGATE_TLS_CERT` and `TOLLGATE_TLS_KEY`: PEM files for STARTTLS and implicit TLS. */
  tls?: { certPath: string; keyPath: string };
  /** `TOLLGATE_ADMIN`: the admin HTTP API. */
  admin: ListenAddress;
  /** `TOLLGATE_DATA`: the folder for the KV store and the admin token. */
  dataDir: string;
  /** `TOLLGATE_STORE` (with `_SCHEMA`, `_POOL`): the embedded KV store, or PostgreSQL. */
  store: StoreSetting;
  /** `TOLLGATE_DELIVERY_LEASE_MS`: how long a node holds a message it delivers (PostgreSQL). */
  deliveryLeaseMs: number;
  /** `TOLLGATE_ADMIN_TOKEN`: the admin API's bearer token; generated when absent. */
  adminToken?: string;
  /** `TOLLGATE_METRICS_TOKEN`: a bearer token for `GET /metrics` only; none when absent. */
  metricsToken?: string;
  /** `TOLLGATE_DATABYTES`: the largest message accepted. */
  maxMessageBytes: number;
  /** `TOLLGATE_INSECURE_AUTH`: where AUTH is offered without TLS. */
  insecureAuth: InsecureAuthPolicy;
  /** `TOLLGATE_CRAM_MD5`: whether CRAM-MD5 is offered (and its secret stored). */
  cramMd5: boolean;
  /** `TOLLGATE_AUTH_FAILURE_DELAY_MS`: the pause before `535`. */
  authFailureDelayMs: number;
  /** `TOLLGATE_IDLE_TIMEOUT_MS`: how long a silent client is kept (RFC 5321: 5 min). */
  idleTimeoutMs: number;
  /** `TOLLGATE_MAX_CONNECTIONS`: SMTP connections at once, per listener. */
  maxConnections: number;
  /** `TOLLGATE_MAX_CONNECTIONS_PER_CLIENT`: SMTP connections at once from one address. */
  maxConnectionsPerClient: number;
  /** `TOLLGATE_CHECKPASSWORD`: checker, subprogram and arguments that check AUTH instead. */
  checkpassword?: string[];
  /** `TOLLGATE_CHECKPASSWORD_CRAM`: the order of CRAM-MD5's fields on fd 3. */
  checkpasswordCram: CramOrder;
  /** `TOLLGATE_DOVECOT_AUTH`: Dovecot's auth socket that checks AUTH instead. */
  dovecotAuth?: DovecotAddress;
  /** `TOLLGATE_AUTH_CACHE_TTL`: seconds an accepted password is remembered; 0 = off. */
  authCacheTtlSeconds: number;
  /** `TOLLGATE_AUTH_TIMEOUT_MS`: how long a checker or Dovecot may take to answer. */
  authTimeoutMs: number;
  /** `TOLLGATE_QUEUE_RETRY`: the waits between delivery attempts in ms; the last repeats. */
  queueRetry: number[];
  /** `TOLLGATE_QUEUE_LIFETIME`: how long a message may wait for delivery before it bounces, in ms. */
  queueLifetimeMs: number;
  /** `TOLLGATE_DNS`: the resolver for MX lookups (an IP address and port); the system's when absent. */
  dns?: { ipAddr: string; port: number };
  /** `TOLLGATE_OUTBOUND_CONCURRENCY`: outbound SMTP connections at once. */
  outboundConcurrency: number;
  /** `TOLLGATE_DELIVERY`: `off` holds the queue (accept, deliver nothing), as stopping qmail-send. */
  delivery: boolean;
  /** `TOLLGATE_LOG_FORMAT`: `json` for one JSON object per line; absent for text (the default). */
  logFormat?: "json";
  /** `TOLLGATE_OAUTH_ISSUER`, `_JWKS`, `_AUDIENCE`, `_CLAIM`: logins with the IdP's tokens. */
  oauth?: OAuthLoginSettings;
}

/**
 * Reads the settings from an environment map.
 *
 * @example
 * ```ts
 * import { parseConfig } from "@tollgate/tollgate/deno";
 * const config = parseConfig({ TOLLGATE_SMTP: "127.0.0.1:2525" }, "mail.example.net");
 * console.log(config.smtp, config.hostname); // { hostname: "127.0.0.1", port: 2525 } mail.example.net
 * ```
 */
export function parseConfig(
  env: Record<string, string | undefined>,
  systemHostname: string,
): TollgateConfig {
  const read = (name: string) => {
    const value = env[name]?.trim();
    return value === "" ? undefined : value;
  };
  const hostname = read("TOLLGATE_HOSTNAME") ?? systemHostname;
  if (!/^[A-Za-z0-9.-]{1,253}$/.test(hostname)) {
    throw new ConfigError("TOLLGATE_HOSTNAME", `"${hostname}" is not a host name`);
  }
  const token = bearerToken("TOLLGATE_ADMIN_TOKEN", read("TOLLGATE_ADMIN_TOKEN"));
  const metricsToken = bearerToken("TOLLGATE_METRICS_TOKEN", read("TOLLGATE_METRICS_TOKEN"));
  const certPath = read("TOLLGATE_TLS_CERT");
  const keyPath = read("TOLLGATE_TLS_KEY");
  if ((certPath === undefined) !== (keyPath === undefined)) {
    const missing = certPath === undefined ? "TOLLGATE_TLS_CERT" : "TOLLGATE_TLS_KEY";
    throw new ConfigError(missing, "TOLLGATE_TLS_CERT and TOLLGATE_TLS_KEY go together");
  }
  const submission = optionalListener(
    "TOLLGATE_SUBMISSION",
    read("TOLLGATE_SUBMISSION"),
    "0.0.0.0:2587",
  );
  const submissionsText = read("TOLLGATE_SUBMISSIONS");
  if (certPath === undefined && submissionsText !== undefined && submissionsText !== "off") {
    throw new ConfigError(
      "TOLLGATE_SUBMISSIONS",
      "implicit TLS needs TOLLGATE_TLS_CERT and TOLLGATE_TLS_KEY",
    );
  }
  const submissions = certPath === undefined
    ? undefined
    : optionalListener("TOLLGATE_SUBMISSIONS", submissionsText, "0.0.0.0:2465");
  return {
    hostname,
    smtp: listenAddress("TOLLGATE_SMTP", read("TOLLGATE_SMTP") ?? "0.0.0.0:2525"),
    ...(submission ? { submission } : {}),
    ...(submissions ? { submissions } : {}),
    ...(certPath && keyPath ? { tls: { certPath, keyPath } } : {}),
    admin: listenAddress("TOLLGATE_ADMIN", read("TOLLGATE_ADMIN") ?? "127.0.0.1:8025"),
    dataDir: read("TOLLGATE_DATA") ?? "./data",
    ...(token === undefined ? {} : { adminToken: token }),
    ...(metricsToken === undefined ? {} : { metricsToken }),
    ...(oneOf("TOLLGATE_LOG_FORMAT", read("TOLLGATE_LOG_FORMAT") ?? "text", ["text", "json"]) ===
        "json"
      ? { logFormat: "json" as const }
      : {}),
    maxMessageBytes: integer("TOLLGATE_DATABYTES", read("TOLLGATE_DATABYTES"), 26214400, 1),
    insecureAuth: oneOf("TOLLGATE_INSECURE_AUTH", read("TOLLGATE_INSECURE_AUTH"), [
      "loopback",
      "always",
      "never",
    ]),
    cramMd5: oneOf("TOLLGATE_CRAM_MD5", read("TOLLGATE_CRAM_MD5"), ["on", "off"]) === "on",
    authFailureDelayMs: integer(
      "TOLLGATE_AUTH_FAILURE_DELAY_MS",
      read("TOLLGATE_AUTH_FAILURE_DELAY_MS"),
      2000,
      0,
    ),
    idleTimeoutMs: integer("TOLLGATE_IDLE_TIMEOUT_MS", read("TOLLGATE_IDLE_TIMEOUT_MS"), 300000, 1),
    maxConnections: integer("TOLLGATE_MAX_CONNECTIONS", read("TOLLGATE_MAX_CONNECTIONS"), 1000, 1),
    maxConnectionsPerClient: integer(
      "TOLLGATE_MAX_CONNECTIONS_PER_CLIENT",
      read("TOLLGATE_MAX_CONNECTIONS_PER_CLIENT"),
      50,
      1,
    ),
    ...authBackend(read),
    ...delivery(read),
    ...parseStoreSettings(read),
    ...oauthLogin(read),
  };
}

function delivery(read: (name: string) => string | undefined) {
  const setting = <T>(name: string, parse: (text: string) => T, text: string): T => {
    try {
      return parse(text);
    } catch (error) {
      if (!(error instanceof RangeError)) throw error;
      throw new ConfigError(name, error.message);
    }
  };
  const dnsText = read("TOLLGATE_DNS");
  const dns = dnsText === undefined ? undefined : listenAddress("TOLLGATE_DNS", dnsText);
  if (dns && isIP(dns.hostname) === 0) {
    throw new ConfigError("TOLLGATE_DNS", `"${dnsText}" must be an IP address and port`);
  }
  return {
    queueRetry: setting(
      "TOLLGATE_QUEUE_RETRY",
      parseRetrySchedule,
      read("TOLLGATE_QUEUE_RETRY") ?? DEFAULT_RETRY_SCHEDULE,
    ),
    queueLifetimeMs: setting(
      "TOLLGATE_QUEUE_LIFETIME",
      parseDuration,
      read("TOLLGATE_QUEUE_LIFETIME") ?? DEFAULT_QUEUE_LIFETIME,
    ),
    ...(dns ? { dns: { ipAddr: dns.hostname, port: dns.port } } : {}),
    outboundConcurrency: integer(
      "TOLLGATE_OUTBOUND_CONCURRENCY",
      read("TOLLGATE_OUTBOUND_CONCURRENCY"),
      20,
      1,
    ),
    delivery: oneOf("TOLLGATE_DELIVERY", read("TOLLGATE_DELIVERY"), ["on", "off"]) === "on",
  };
}

function oauthLogin(read: (name: string) => string | undefined) {
  const issuer = read("TOLLGATE_OAUTH_ISSUER");
  const jwksUrl = read("TOLLGATE_OAUTH_JWKS");
  const audience = read("TOLLGATE_OAUTH_AUDIENCE");
  if (issuer === undefined) {
    const stray = jwksUrl ? "TOLLGATE_OAUTH_JWKS" : audience ? "TOLLGATE_OAUTH_AUDIENCE" : "";
    if (stray) throw new ConfigError(stray, "needs TOLLGATE_OAUTH_ISSUER");
    return {};
  }
  for (const [name, url] of [["TOLLGATE_OAUTH_ISSUER", issuer], ["TOLLGATE_OAUTH_JWKS", jwksUrl]]) {
    if (url !== undefined && !URL.canParse(url)) {
      throw new ConfigError(name!, `"${url}" is not a URL`);
    }
  }
  if (audience === undefined) {
    throw new ConfigError("TOLLGATE_OAUTH_AUDIENCE", "is needed with TOLLGATE_OAUTH_ISSUER");
  }
  const claim = read("TOLLGATE_OAUTH_CLAIM") ?? "email";
  return { oauth: { issuer, audience, claim, ...(jwksUrl ? { jwksUrl } : {}) } };
}

function authBackend(read: (name: string) => string | undefined) {
  const command = read("TOLLGATE_CHECKPASSWORD")?.split(/\s+/);
  if (command !== undefined && command.length < 2) {
    throw new ConfigError(
      "TOLLGATE_CHECKPASSWORD",
      "needs the checker and the program it runs on success: /home/vpopmail/bin/vchkpw /bin/true",
    );
  }
  const dovecotText = read("TOLLGATE_DOVECOT_AUTH");
  if (command !== undefined && dovecotText !== undefined) {
    throw new ConfigError("TOLLGATE_DOVECOT_AUTH", "set it or TOLLGATE_CHECKPASSWORD, not both");
  }
  let dovecotAuth: DovecotAddress | undefined;
  try {
    dovecotAuth = dovecotText === undefined ? undefined : parseDovecotAddress(dovecotText);
  } catch {
    throw new ConfigError(
      "TOLLGATE_DOVECOT_AUTH",
      `"${dovecotText}" is not a socket path or host:port`,
    );
  }
  return {
    ...(command ? { checkpassword: command } : {}),
    checkpasswordCram: oneOf("TOLLGATE_CHECKPASSWORD_CRAM", read("TOLLGATE_CHECKPASSWORD_CRAM"), [
      "response-first",
      "challenge-first",
    ]),
    ...(dovecotAuth ? { dovecotAuth } : {}),
    authCacheTtlSeconds: integer("TOLLGATE_AUTH_CACHE_TTL", read("TOLLGATE_AUTH_CACHE_TTL"), 60, 0),
    authTimeoutMs: integer("TOLLGATE_AUTH_TIMEOUT_MS", read("TOLLGATE_AUTH_TIMEOUT_MS"), 10000, 1),
  };
}

function listenAddress(setting: string, text: string): ListenAddress {
  const match = /^(?:\[([0-9A-Fa-f:.]+)\]|([^:\s]+)):(\d{1,5})$/.exec(text);
  const port = match ? Number(match[3]) : NaN;
  if (!match || port > 65535) {
    throw new ConfigError(setting, `"${text}" is not host:port (IPv6 as [::1]:2525)`);
  }
  return { hostname: match[1] ?? match[2], port };
}

function optionalListener(
  setting: string,
  text: string | undefined,
  fallback: string,
): ListenAddress | undefined {
  return text?.toLowerCase() === "off" ? undefined : listenAddress(setting, text ?? fallback);
}

function integer(setting: string, text: string | undefined, fallback: number, min: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(value) || value < min) {
    throw new ConfigError(setting, `"${text}" is not a whole number >= ${min}`);
  }
  return value;
}

function oneOf<T extends string>(setting: string, text: string | undefined, allowed: T[]): T {
  if (text === undefined) return allowed[0];
  const value = allowed.find((option) => option === text.toLowerCase());
  if (value === undefined) throw new ConfigError(setting, `must be one of ${allowed.join(", ")}`);
  return value;
}

/** A bearer token as the admin API takes it (RFC 6750 `b64token`, 16 characters at least). */
function bearerToken(setting: string, text: string | undefined): string | undefined {
  if (text !== undefined && !/^[A-Za-z0-9\-._~+/]{16,}=*$/.test(text)) {
    throw new ConfigError(
      setting,
      "must be at least 16 characters of A-Z a-z 0-9 - . _ ~ + / (RFC 6750)",
    );
  }
  return text;
}
