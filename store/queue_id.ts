/**
 * Queue ids: 20 lower-case hex digits that sort by the time a message was
 * started, shared by every queue backend.
 *
 * An id is 12 hex digits of milliseconds since the epoch followed by 8 hex
 * digits of a per-millisecond sequence. The sequence starts at a random value
 * below 2^31 in each new millisecond (so two processes rarely collide) and
 * counts up within it, so one generator's ids are unique and strictly
 * increasing even when the clock stands still or steps back: a clock that
 * steps back keeps the last millisecond and counts on. The 2^31 ids of room
 * above the start (over 2 billion in one millisecond, or while the clock
 * catches up after stepping back) are never used up in practice.
 *
 * @module
 */

const TIME_DIGITS = 12;
const SEQUENCE_DIGITS = 8;
const MAX_TIME = 16 ** TIME_DIGITS - 1;

/**
 * Options for {@linkcode QueueIdGenerator}.
 *
 * @example
 * ```ts
 * import { QueueIdGenerator, type QueueIdGeneratorOptions } from "@tollgate/tollgate/store";
 * const options: QueueIdGeneratorOptions = { randomBytes: (n) => new Uint8Array(n) };
 * console.log(new QueueIdGenerator(() => 0x18c2f5a1b00, options).next()); // "018c2f5a1b0000000000"
 * ```
 */
export interface QueueIdGeneratorOptions {
  /**
   * A CSPRNG returning `n` random bytes; seeds the sequence of each new
   * millisecond. Defaults to `crypto.getRandomValues`.
   */
  randomBytes?: (n: number) => Uint8Array;
}

/**
 * Makes queue ids that sort by creation time and never repeat.
 *
 * @example
 * ```ts
 * import { QueueIdGenerator } from "@tollgate/tollgate/store";
 * const ids = new QueueIdGenerator(() => 0x18c2f5a1b00, { randomBytes: (n) => new Uint8Array(n) });
 * console.log(ids.next()); // "018c2f5a1b0000000000"
 * console.log(ids.next()); // "018c2f5a1b0000000001"
 * ```
 */
export class QueueIdGenerator {
  #now: () => number;
  #randomBytes: (n: number) => Uint8Array;
  #lastTime = -1;
  #sequence = 0;

  /** Reads the time from `now` (ms since epoch) for every id. */
  constructor(now: () => number, options: QueueIdGeneratorOptions = {}) {
    this.#now = now;
    this.#randomBytes = options.randomBytes ??
      ((n) => crypto.getRandomValues(new Uint8Array(n)));
  }

  /** The next id: greater than every id this generator returned before. */
  next(): string {
    const time = Math.floor(this.#now());
    if (!Number.isFinite(time) || time < 0 || time > MAX_TIME) {
      throw new RangeError(`Cannot create queue id: clock returned ${time}`);
    }
    if (time > this.#lastTime) {
      this.#lastTime = time;
      this.#sequence = this.#randomSequenceStart();
    } else {
      this.#sequence += 1;
    }
    return this.#lastTime.toString(16).padStart(TIME_DIGITS, "0") +
      this.#sequence.toString(16).padStart(SEQUENCE_DIGITS, "0");
  }

  /** A random start below 2^31, leaving 2^31 ids of room in the millisecond. */
  #randomSequenceStart(): number {
    const bytes = this.#randomBytes(4);
    return new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0) >>> 1;
  }
}
