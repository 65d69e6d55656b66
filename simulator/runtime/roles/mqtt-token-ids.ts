/**
 * An mqtt-client role's map from the engine's publish tokens to flow message ids (./mqtt-client.ts),
 * for the messages still with the engine.
 *
 * The engine hands out tokens 1, 2, 3... (MqttClient.publish), the role registers each one at once
 * and forgets it when the engine reports it published or dropped, so the tokens alive lie in a
 * window that moves forward. They are kept in an array indexed from the oldest one still alive:
 * a Map that gains and loses one entry per message rebuilds its table over and over (a fleet run
 * allocated 3.4 MB of tables in Map.delete per 20,000 messages). Flow message ids start at 1
 * (client-flows.ts FlowLedger.send), so 0 marks a slot that holds none.
 */
export class TokenIds {
  /** #ids[i] for #head <= i < #tail is the id of token #base + i (0: none); the slots beyond #tail are spare. */
  // Four slots to start with (a publisher usually has one or two messages with its engine): an
  // empty array's first push would give it room for 17, about 150 bytes a device.
  #ids: number[] = [0, 0, 0, 0];
  #base = 1;
  #head = 0;
  #tail = 0;

  /** Token `token` (newer than every token set before) carries flow message `id` (>= 1). */
  set(token: number, id: number): void {
    const at = token - this.#base;
    if (at < this.#tail) throw new RangeError(`token ${token} is not newer than the tokens set before`);
    while (this.#tail <= at) this.#put(this.#tail, 0);
    this.#ids[at] = id;
  }

  /** The id of `token`; undefined when it has none (never set, or already taken). */
  get(token: number): number | undefined {
    const at = token - this.#base;
    if (at < this.#head || at >= this.#tail) return undefined;
    const id = this.#ids[at]!;
    return id === 0 ? undefined : id;
  }

  /** The id of `token`, forgotten; undefined when it has none (never set, or already taken). */
  take(token: number): number | undefined {
    const at = token - this.#base;
    if (at < this.#head || at >= this.#tail) return undefined;
    const id = this.#ids[at]!;
    if (id === 0) return undefined;
    this.#ids[at] = 0;
    if (at === this.#head) this.#advance();
    return id;
  }

  #put(at: number, value: number): void {
    if (at < this.#ids.length) this.#ids[at] = value;
    else this.#ids.push(value);
    this.#tail = at + 1;
  }

  /** Moves past the forgotten slots at the front; starts again at the front when none is left. */
  #advance(): void {
    const ids = this.#ids;
    let head = this.#head;
    while (head < this.#tail && ids[head] === 0) head++;
    if (head === this.#tail) {
      // Nothing alive: the next token goes in slot 0, and the array keeps its storage (setting
      // its length to 0 would give it back, and the next push would allocate it again).
      this.#base += head;
      this.#head = 0;
      this.#tail = 0;
    } else if (head > 1024 && head * 2 > this.#tail) {
      // A window that never empties lets go of the front once it is most of the array.
      this.#ids = ids.slice(head, this.#tail);
      this.#base += head;
      this.#tail -= head;
      this.#head = 0;
    } else {
      this.#head = head;
    }
  }
}
