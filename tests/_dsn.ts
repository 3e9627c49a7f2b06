/**
 * Reads a delivery status notification with an independent parser (Python's `email` package,
 * through `tests/fixtures/parse_dsn.py`).
 *
 * @module
 */

/** What `parse_dsn.py` reports about one DSN. */
export interface ParsedDsn {
  /** The top-level content type (`multipart/report`). */
  type: string;
  /** The `report-type` parameter (`delivery-status`). */
  reportType: string | null;
  /** The top-level header fields. */
  headers: Record<string, string>;
  /** The content types of the parts, in order. */
  parts: string[];
  /** Everything the parser found wrong; empty for a well-formed message. */
  defects: string[];
  /** The `message/delivery-status` blocks: per-message fields, then one per recipient. */
  blocks?: Record<string, string>[];
  /** The human-readable part. */
  text?: string;
  /** The `text/rfc822-headers` part. */
  returnedHeaders?: string;
}

/**
 * Parses `message` with Python's email package.
 *
 * @example
 * ```ts ignore
 * const dsn = await parseDsn(new TextEncoder().encode(bounceText));
 * console.log(dsn.type); // "multipart/report"
 * ```
 */
export async function parseDsn(message: Uint8Array): Promise<ParsedDsn> {
  const child = new Deno.Command("python3", {
    args: [new URL("./fixtures/parse_dsn.py", import.meta.url).pathname],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(message);
  await writer.close();
  const output = await child.output();
  if (!output.success) {
    throw new Error(`parse_dsn.py failed: ${new TextDecoder().decode(output.stderr)}`);
  }
  return JSON.parse(new TextDecoder().decode(output.stdout));
}
