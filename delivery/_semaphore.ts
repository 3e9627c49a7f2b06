/**
 * A counting semaphore: bounds how many outbound connections run at once.
 *
 * @module
 */

/**
 * Runs at most `size` tasks at once, the rest in order of arrival.
 *
 * @example
 * ```ts
 * import { Semaphore } from "./_semaphore.ts";
 * const slots = new Semaphore(1);
 * const order: number[] = [];
 * await Promise.all([1, 2].map((n) => slots.run(async () => void order.push(n))));
 * console.log(order); // [1, 2]
 * ```
 */
export class Semaphore {
  #free: number;
  #waiting: (() => void)[] = [];

  /** Allows `size` tasks at once. */
  constructor(size: number) {
    this.#free = size;
  }

  /** Runs `task` once a place is free; resolves or rejects as it does. */
  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.#free > 0) this.#free--;
    else await new Promise<void>((resolve) => this.#waiting.push(resolve));
    try {
      return await task();
    } finally {
      const next = this.#waiting.shift();
      if (next) next();
      else this.#free++;
    }
  }
}
