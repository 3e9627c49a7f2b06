/**
 * Reads the arrival times that the timed sink (`bench/smtp_server_peer.mjs --arrivals`)
 * appends to a file, `<id> <epoch ms>` per line, a little more at each call.
 *
 * @module
 */

/**
 * The arrivals seen so far, by id; `refresh()` reads what the sink appended since.
 *
 * @example
 * ```ts ignore
 * import { ArrivalLog } from "./_arrival_log.ts";
 * const log = new ArrivalLog("/tmp/arrivals");
 * await log.refresh();
 * console.log(log.arrivedAt.get("run1-0")); // 1733558400123.456
 * ```
 */
export class ArrivalLog {
  readonly arrivedAt = new Map<string, number>();
  /** Ids that arrived more than once. */
  readonly repeated: string[] = [];
  #path: string;
  #offset = 0;
  #partial = "";

  constructor(path: string) {
    this.#path = path;
  }

  /** Reads the lines appended since the last call. */
  async refresh(): Promise<void> {
    const file = await Deno.open(this.#path);
    try {
      await file.seek(this.#offset, Deno.SeekMode.Start);
      const chunk = new Uint8Array(64 * 1024);
      for (let count = await file.read(chunk); count !== null; count = await file.read(chunk)) {
        this.#offset += count;
        this.#partial += new TextDecoder().decode(chunk.subarray(0, count));
      }
    } finally {
      file.close();
    }
    const lines = this.#partial.split("\n");
    this.#partial = lines.pop()!;
    for (const line of lines) {
      const [id, time] = line.split(" ");
      if (this.arrivedAt.has(id)) this.repeated.push(id);
      else this.arrivedAt.set(id, Number(time));
    }
  }
}
