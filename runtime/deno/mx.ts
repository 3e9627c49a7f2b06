/**
 * Where mail for a domain goes when no route names a relay: its MX hosts
 * (RFC 5321 §5.1), each with its addresses.
 *
 * - MX records sorted by preference; equal preferences in random order (the
 *   RFC's MUST, to spread load).
 * - No MX records: the domain itself is the one host (the "implicit MX"),
 *   if it has an address. Neither MX nor address: the domain cannot receive
 *   mail, a permanent failure.
 * - A null MX (one MX record `0 .`, RFC 7505): the domain accepts no mail,
 *   a permanent failure with `556 5.1.10`.
 * - A timeout or any other resolver failure is temporary.
 * - An address literal (`[192.0.2.1]`, `[IPv6:2001:db8::1]`) is its own host.
 *
 * Deno's resolver reports NXDOMAIN, "no records of that type" and a REFUSED
 * answer alike as `NotFound`; all three count as "no records" here.
 *
 * @module
 */
import { isIP } from "node:net";
import type { MxLookup } from "../../delivery/outbound_types.ts";

export type { MailHost, MxLookup } from "../../delivery/outbound_types.ts";

/** A resolver to ask instead of the system's (`TOLLGATE_DNS`). */
export interface NameServer {
  /** Its IP address. */
  ipAddr: string;
  /** Its port (53 normally). */
  port: number;
}

/** How lookups are made. */
export interface MxLookupOptions {
  /** The resolver to ask; the system's when absent. */
  nameServer?: NameServer;
  /** Give up on one query after this long (default 10 s): a temporary failure. */
  timeoutMs?: number;
  /** Shuffles MX hosts of equal preference; defaults to `Math.random`. */
  random?: () => number;
}

const DEFAULT_TIMEOUT_MS = 10_000;

/**
 * Finds the hosts that receive mail for `domain`, in the order to try them.
 *
 * @example
 * ```ts ignore
 * import { lookupMailHosts } from "./mx.ts";
 * const result = await lookupMailHosts("example.test", {
 *   nameServer: { ipAddr: "127.0.0.1", port: 5353 },
 * });
 * if (result.kind === "hosts") console.log(result.hosts[0].addresses);
 * ```
 */
export async function lookupMailHosts(
  domain: string,
  options: MxLookupOptions = {},
): Promise<MxLookup> {
  const literal = addressLiteral(domain);
  if (literal !== undefined) {
    return { kind: "hosts", hosts: [{ name: literal, preference: 0, addresses: [literal] }] };
  }
  const name = domain.replace(/\.$/, "");
  const mx = await ask((dns) => Deno.resolveDns(name, "MX", dns), options);
  if (mx.kind === "failed") return temporary(`MX lookup for ${name} failed: ${mx.reason}`);
  if (mx.kind === "found" && mx.records.length === 1 && isNullMx(mx.records[0].exchange)) {
    return { kind: "permanent", reply: `556 5.1.10 ${name} accepts no mail (null MX, RFC 7505)` };
  }
  const exchanges = mx.kind === "found"
    ? orderByPreference(mx.records.filter((record) => !isNullMx(record.exchange)), options)
    : [];
  if (exchanges.length === 0) {
    const implicit = await addressesOf(name, options);
    if (implicit.kind === "failed") {
      return temporary(`address lookup for ${name} failed: ${implicit.reason}`);
    }
    if (implicit.addresses.length === 0) {
      return {
        kind: "permanent",
        reply: `550 5.1.2 ${name} has no MX or address records (domain not found)`,
      };
    }
    return { kind: "hosts", hosts: [{ name, preference: 0, addresses: implicit.addresses }] };
  }
  const resolved = await Promise.all(exchanges.map(async (record) => {
    const host = record.exchange.replace(/\.$/, "");
    const found = isIP(host) ? { kind: "found" as const, addresses: [host] } : await addressesOf(
      host,
      options,
    );
    return { host, preference: record.preference, found };
  }));
  const hosts = resolved.flatMap(({ host, preference, found }) =>
    found.kind === "found" && found.addresses.length > 0
      ? [{ name: host, preference, addresses: found.addresses }]
      : []
  );
  if (hosts.length > 0) return { kind: "hosts", hosts };
  const reasons = resolved.map(({ host, found }) =>
    `${host}: ${found.kind === "failed" ? found.reason : "no address"}`
  );
  return temporary(`no MX host of ${name} has an address (${reasons.join("; ")})`);
}

function temporary(reason: string): MxLookup {
  return { kind: "temporary", reply: reason };
}

function isNullMx(exchange: string): boolean {
  return exchange === "." || exchange === "";
}

/** `[192.0.2.1]` → `192.0.2.1`; `[IPv6:2001:db8::1]` → `2001:db8::1`; else undefined. */
function addressLiteral(domain: string): string | undefined {
  const match = /^\[(?:IPv6:)?([0-9A-Fa-f:.]+)\]$/.exec(domain);
  return match && isIP(match[1]) ? match[1] : undefined;
}

/** Sorts by preference; shuffles each run of equal preference (RFC 5321 §5.1). */
function orderByPreference(
  records: { preference: number; exchange: string }[],
  options: MxLookupOptions,
): { preference: number; exchange: string }[] {
  const random = options.random ?? Math.random;
  const keyed = records.map((record) => ({ record, tieBreak: random() }));
  keyed.sort((a, b) => a.record.preference - b.record.preference || a.tieBreak - b.tieBreak);
  return keyed.map(({ record }) => record);
}

type Answer<T> =
  | { kind: "found"; records: T[] }
  | { kind: "none" }
  | { kind: "failed"; reason: string };

/** Runs one query with the timeout; `NotFound` means no records. */
async function ask<T>(
  lookup: (options: Deno.ResolveDnsOptions) => Promise<T[]>,
  options: MxLookupOptions,
): Promise<Answer<T>> {
  const signal = AbortSignal.timeout(options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  try {
    const nameServer = options.nameServer ? { nameServer: options.nameServer } : {};
    return { kind: "found", records: await lookup({ signal, ...nameServer }) };
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return { kind: "none" };
    const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    return { kind: "failed", reason };
  }
}

async function addressesOf(
  name: string,
  options: MxLookupOptions,
): Promise<{ kind: "found"; addresses: string[] } | { kind: "failed"; reason: string }> {
  const [v4, v6] = await Promise.all([
    ask((dns) => Deno.resolveDns(name, "A", dns), options),
    ask((dns) => Deno.resolveDns(name, "AAAA", dns), options),
  ]);
  const addresses = [v4, v6].flatMap((answer) => answer.kind === "found" ? answer.records : []);
  if (addresses.length > 0) return { kind: "found", addresses };
  const failed = [v4, v6].find((answer) => answer.kind === "failed");
  return failed?.kind === "failed" ? failed : { kind: "found", addresses: [] };
}
