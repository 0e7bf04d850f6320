// What every solver reads of a pass's descriptor, in native types: the batch's shape, its time
// grids and the step control's settings. pass.ts fills one per call in the workspace's header
// (why there: see pass.ts).

/** One batch of initial value problems dh/dt = f(t, h), h(t_0) = h0, solved through S requested
 *  times per row. */
@unmanaged export class Problem {
  /** ODE_* (constants.ts). */
  method: i32;
  /** Rows (sequences) B, requested times S per row, state width D. */
  B: i32;
  S: i32;
  D: i32;
  /** Fixed-step methods: equal steps per interval. */
  substeps: i32;
  /** dopri5: attempts per row, at most (and room for that many accepted steps with `store`). */
  maxSteps: i32;
  /** times is [B, S] (one grid per row), else [S] shared by the rows. */
  perSeq: bool;
  /** Gradient "backprop": the forward keeps what reverse mode needs. */
  store: bool;
  /** The adjoint dopri5's error norm leaves out the parameter adjoint (seminorm). */
  semi: bool;
  /** The requested times, f64, each row strictly monotonic. */
  times: usize;
  /** dopri5's tolerances. */
  rtol: f64;
  atol: f64;
  /** Input channels M (0: none) and the inputs, f32 [B, S − 1, M]: u[b, s] held over the interval
   *  from t_s to t_{s+1}. */
  M: i32;
  u: usize;
}

/** The requested time s of row b. */
// @ts-ignore: decorator
@inline export function time_at(p: Problem, b: i32, s: i32): f64 {
  return load<f64>(p.times + (<usize>((p.perSeq ? b * p.S : <i32>0) + s) << 3));
}
