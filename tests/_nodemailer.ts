/**
 * nodemailer as the client of a Tollgate on loopback: plain text (AUTH is
 * offered on loopback), named `client.test`.
 *
 * @module
 */
import nodemailer from "nodemailer";

/** A password login (PLAIN, LOGIN, CRAM-MD5) or an OAuth 2.0 access token (XOAUTH2). */
export type ClientAuth =
  | { user: string; pass: string; method: string }
  | { type: "OAuth2"; user: string; accessToken: string };

/** A nodemailer transport to `127.0.0.1:<port>` that logs in with `auth`. */
export function transportFor(port: number, auth: ClientAuth) {
  return nodemailer.createTransport({
    host: "127.0.0.1",
    port,
    secure: false,
    ignoreTLS: true,
    name: "client.test",
    auth,
  });
}
