/**
 * A windowed running maximum as Linux keeps BBR's bandwidth estimate (lib/win_minmax.c, after
 * Kathleen Nichols' algorithm): the best, second-best and third-best samples of the window, so
 * the maximum ages out in constant time and space without keeping every sample.
 */
export class WindowedMax {
  #s: { t: number; v: number }[] = [{ t: 0, v: 0 }, { t: 0, v: 0 }, { t: 0, v: 0 }];

  get value(): number {
    return this.#s[0]!.v;
  }

  reset(t: number, v: number): number {
    this.#s = [{ t, v }, { t, v }, { t, v }];
    return v;
  }

  /** minmax_running_max: take sample `v` at time `t` into a window of `win`. */
  update(win: number, t: number, v: number): number {
    const s = this.#s;
    const val = { t, v };
    if (v >= s[0]!.v || t - s[2]!.t > win) return this.reset(t, v);
    if (v >= s[1]!.v) s[2] = s[1] = val;
    else if (v >= s[2]!.v) s[2] = val;
    // minmax_subwin_update: age the choices so one sample never holds the whole window.
    const dt = t - s[0]!.t;
    if (dt > win) {
      s[0] = s[1]!;
      s[1] = s[2]!;
      s[2] = val;
      if (t - s[0].t > win) {
        s[0] = s[1];
        s[1] = s[2];
        s[2] = val;
      }
    } else if (s[1]!.t === s[0]!.t && dt > win / 4) {
      s[2] = s[1] = val;
    } else if (s[2]!.t === s[1]!.t && dt > win / 2) {
      s[2] = val;
    }
    return s[0]!.v;
  }
}
