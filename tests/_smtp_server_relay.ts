/**
 * nodemailer's `smtp-server` as the relay that Tollgate's SMTP client talks
 * to, in the test process, on a kernel-chosen port. It records every AUTH
 * attempt, connection and message, and can refuse recipients or messages
 * with a given reply.
 *
 * @module
 */
import { SMTPServer } from "smtp-server";

/** A reply the relay gives instead of accepting. */
export interface Refusal {
  code: number;
  message: string;
}

/** How the relay behaves. */
export interface RelayOptions {
  /** Bind address; default 127.0.0.1. */
  host?: string;
  /** Port to bind; default 0 (the kernel picks one). */
  port?: number;
  /** Certificate and key: offers STARTTLS (or speaks TLS at once with `implicitTls`). */
  tls?: { certPem: string; keyPem: string };
  implicitTls?: boolean;
  /** Mechanisms offered; when set, AUTH is required before MAIL. */
  authMethods?: ("PLAIN" | "LOGIN" | "CRAM-MD5")[];
  /** Accept AUTH without TLS (smtp-server refuses it with 538 otherwise). */
  allowInsecureAuth?: boolean;
  /** The one user and password accepted. */
  user?: { username: string; password: string };
  /** Refuse a recipient. */
  refuseRecipient?: (address: string) => Refusal | undefined;
  /** Refuse a message after its data (the reply to the final dot). */
  refuseMessage?: (to: string[]) => Refusal | undefined;
}

/** A message the relay took. */
export interface RelayedMessage {
  from: string;
  to: string[];
  body: string;
  user: string | undefined;
  secure: boolean;
  connection: string;
}

/** A running relay and what it saw. */
export interface RunningRelay {
  port: number;
  host: string;
  messages: RelayedMessage[];
  auths: { method: string; username: string; accepted: boolean; secure: boolean }[];
  connections: number;
  close(): Promise<void>;
}

function refusal(reply: Refusal): Error {
  return Object.assign(new Error(reply.message), { responseCode: reply.code });
}

/** Starts the relay; `close()` stops it. */
export function startRelay(options: RelayOptions = {}): Promise<RunningRelay> {
  const host = options.host ?? "127.0.0.1";
  const relay: RunningRelay = {
    port: 0,
    host,
    messages: [],
    auths: [],
    connections: 0,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
      }),
  };
  const user = options.user ?? { username: "trottel", password: "ich" };
  const server = new SMTPServer({
    name: "relay.test",
    logger: false,
    disableReverseLookup: true,
    closeTimeout: 1000,
    secure: options.implicitTls === true,
    ...(options.tls ? { key: options.tls.keyPem, cert: options.tls.certPem } : {}),
    ...(options.tls ? {} : { disabledCommands: ["STARTTLS"] }),
    authMethods: options.authMethods ?? [],
    authOptional: options.authMethods === undefined,
    allowInsecureAuth: options.allowInsecureAuth === true,
    onConnect(_session, callback) {
      relay.connections++;
      callback();
    },
    onAuth(auth, session, callback) {
      const accepted = auth.username === user.username &&
        (auth.method === "CRAM-MD5"
          ? auth.validatePassword(user.password)
          : auth.password === user.password);
      relay.auths.push({
        method: auth.method,
        username: auth.username ?? "",
        accepted,
        secure: session.secure,
      });
      callback(null, accepted ? { user: auth.username } : undefined);
    },
    onRcptTo(address, _session, callback) {
      const reply = options.refuseRecipient?.(address.address);
      callback(reply ? refusal(reply) : undefined);
    },
    onData(stream, session, callback) {
      const chunks: Uint8Array[] = [];
      stream.on("data", (chunk: Uint8Array) => chunks.push(chunk));
      stream.on("end", () => {
        const to = session.envelope.rcptTo.map((rcpt) => rcpt.address);
        const reply = options.refuseMessage?.(to);
        if (reply) return callback(refusal(reply));
        relay.messages.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : "",
          to,
          body: new TextDecoder().decode(concat(chunks)),
          user: session.user as string | undefined,
          secure: session.secure,
          connection: session.id,
        });
        callback();
      });
    },
  });
  // A client that gives up in the middle of a handshake is reported here; it is not a failure.
  server.on("error", () => {});
  return new Promise((resolve) => {
    server.listen(options.port ?? 0, host, () => {
      const address = server.server.address();
      if (address === null || typeof address === "string") throw new TypeError("Not TCP");
      relay.port = address.port;
      resolve(relay);
    });
  });
}

function concat(chunks: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((sum, chunk) => sum + chunk.length, 0));
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}
