// The constants of the ABI, shared by both sides: the AssemblyScript core imports this file and so
// does the TypeScript layer (bindings/core/abi.ts), so there is no second copy. Plain integer
// literals only: the file must compile as AssemblyScript (i32 constants) and as TypeScript.

// Recurrent cells (the `cell` field of a pass descriptor), each with its number of gates G (the
// rows of its weights are G·H): the columns of the table of cells (assembly/rnn/cells.ts,
// bindings' CELLS).
export const CELL_RNN_TANH = 0;
export const CELL_RNN_RELU = 1;
export const CELL_LSTM = 2;
export const CELL_GRU = 3;
/** Elman with the identity as φ (not in PyTorch; for gradient-flow experiments). */
export const CELL_RNN_LINEAR = 4;
/** GRU with the reset gate applied before the recurrent product: n = tanh(W_in x + b_in +
 *  W_hn (r ⊙ h) + b_hn) (ONNX's default GRU, Keras reset_after=False, TF.js). */
export const CELL_GRU_RESET_BEFORE = 5;
export const CELL_COUNT = 6;
/** Elman (tanh, relu, linear): one gate. */
export const GATES_RNN = 1;
/** LSTM: i, f, g, o. */
export const GATES_LSTM = 4;
/** GRU: r, z, n. */
export const GATES_GRU = 3;

// Error codes returned by the validating exports (0 = success). docs/ABI.md lists them.
export const OK = 0;
export const ERR_CELL = -1; // unknown cell id
export const ERR_SIZE = -2; // a size is < 1, more than 4096 layers, or D is not 1 or 2
export const ERR_TOO_LARGE = -3; // a tensor or the workspace would pass 4 GiB
export const ERR_LENGTHS = -4; // a length is outside 1..T
export const ERR_WORKSPACE = -5; // the workspace the caller passed is smaller than needed
export const ERR_BOUNDS = -6; // a tensor runs past the end of memory, or a required one is 0
export const ERR_NO_FORWARD = -7; // backward: the workspace does not hold a forward of this shape
export const ERR_ARGUMENT = -8; // another argument is out of range (truncate < 0, checkpoint not 0/1)
export const ERR_MAX_STEPS = -9; // dopri5: a sequence needed more steps than maxSteps (stats: t, dt)
export const ERR_STEP_UNDERFLOW = -10; // dopri5: the step size underflowed (stats: t, dt)
export const ERR_ZERO_PROBABILITY = -11; // HMM: a sequence has probability 0 under the model (out[1]: the step)
export const ERR_OVERLAP = -12; // a tensor the call writes overlaps its descriptor, lengths, widths or HMM states

// The recurrent pass descriptor: RD_FIELDS consecutive 32-bit fields in linear memory, written by
// the host once per call and passed to rnn_forward / rnn_backward / rnn_workspace_bytes by address.
// Fields hold i32 sizes and flags, or u32 byte offsets (pointers; 0 = absent).
export const RD_CELL = 0; // i32: CELL_*
export const RD_B = 1; // i32: batch
export const RD_T = 2; // i32: steps
export const RD_I = 3; // i32: input size
export const RD_H = 4; // i32: hidden size
export const RD_L = 5; // i32: layers
export const RD_D = 6; // i32: directions (1 or 2)
export const RD_CHECKPOINT = 7; // i32: 0 keep all activations, 1 one state per ⌈√T⌉ steps
export const RD_TRUNCATE = 8; // i32: backward: 0 full BPTT, k >= 1 BPTT(k)
export const RD_PARAMS = 9; // ptr: f32 parameter block (rnn_param_count floats)
export const RD_GRADS = 10; // ptr: backward: f32 gradient block, same layout; accumulated into
export const RD_WS = 11; // ptr: workspace
export const RD_WS_BYTES = 12; // u32: bytes available at RD_WS (checked against rnn_workspace_bytes)
export const RD_X = 13; // ptr: x [B, T, I]
export const RD_LENGTHS = 14; // ptr: i32 [B], each in 1..T; 0 = all T
export const RD_H0 = 15; // ptr: [L·D, B, H] or 0 (zeros)
export const RD_C0 = 16; // ptr: LSTM [L·D, B, H] or 0
export const RD_OUT = 17; // ptr: forward: output [B, T, D·H]
export const RD_HN = 18; // ptr: forward: h_n [L·D, B, H]
export const RD_CN = 19; // ptr: forward: LSTM c_n [L·D, B, H] or 0
export const RD_DOUT = 20; // ptr: backward: ∂L/∂output [B, T, D·H] or 0
export const RD_DHN = 21; // ptr: backward: ∂L/∂h_n or 0
export const RD_DCN = 22; // ptr: backward: ∂L/∂c_n or 0
export const RD_DX = 23; // ptr: backward: ∂L/∂x [B, T, I] or 0 (not wanted)
export const RD_DH0 = 24; // ptr: backward: ∂L/∂h0 or 0
export const RD_DC0 = 25; // ptr: backward: ∂L/∂c0 or 0
export const RD_DHS = 26; // ptr: backward: [L·D, T, B, H] per-step ∂L/∂h_t, or 0
export const RD_PACKED = 27; // i32: forward: 1 = reuse the packed weights the workspace holds from the previous
// forward of the same shape (one layer, one direction; the host vouches the
// parameters have not changed since); 0 = pack them (always safe)
export const RD_DROPOUT = 28; // ptr: f32 [B, L−1, T, D·H] multipliers of each hidden layer's output (time order), or 0
// (no dropout): layer l+1 reads output_l ⊙ mask_l; the backward needs the forward's mask
export const RD_FIELDS = 29;

// Neural ODE: solver methods (OD_METHOD) and activations of the vector field's MLP (OD_ACT).
export const ODE_EULER = 0;
export const ODE_MIDPOINT = 1;
/** Classic Runge–Kutta 4: k1/6 + k2/3 + k3/3 + k4/6. */
export const ODE_RK4 = 2;
/** Dormand–Prince 5(4), adaptive, FSAL. */
export const ODE_DOPRI5 = 3;
export const ODE_METHOD_COUNT = 4;
/** Gradients: reverse mode through the solver's arithmetic, or the adjoint method (O(1) memory). */
export const ODE_GRAD_BACKPROP = 0;
export const ODE_GRAD_ADJOINT = 1;
/** The adjoint solve's error norm, torchdiffeq's: max of the RMS norms of the state, its adjoint
 *  and each parameter tensor's adjoint ("mixed", the default) or of the first two ("seminorm"). */
export const ODE_NORM_MIXED = 0;
export const ODE_NORM_SEMI = 1;
/** f's input map: h itself, or h³ elementwise (torchdiffeq's spiral demo, f = net(y³)). */
export const ODE_MAP_IDENTITY = 0;
export const ODE_MAP_CUBE = 1;
export const ACT_TANH = 0;
export const ACT_RELU = 1;
export const ACT_SOFTPLUS = 2;
export const ACT_COUNT = 3;

// The Neural ODE pass descriptor: OD_FIELDS consecutive f64 fields in linear memory (integers,
// byte offsets and tolerances are all exact in a double), passed to ode_forward / ode_backward /
// ode_workspace_bytes by address. Pointers: 0 = absent.
export const OD_METHOD = 0; // f64: ODE_*
export const OD_ACT = 1; // f64: ACT_*
export const OD_TIME_INPUT = 2; // f64: 1 = f sees [h, (u,) t] (t last), 0 = f sees h (and u)
export const OD_D = 3; // f64: state size D
export const OD_LAYERS = 4; // f64: number K of Linear layers of f (>= 1)
export const OD_WIDTHS = 5; // ptr: i32 [K + 1]: D + M (+1 with time input), hidden widths..., D
export const OD_B = 6; // f64: batch
export const OD_S = 7; // f64: requested times per sequence (>= 1)
export const OD_TIMES = 8; // ptr: f64 times, [S] shared or [B, S] per sequence
export const OD_PER_SEQ = 9; // f64: 1 = times is [B, S], 0 = [S]
export const OD_SUBSTEPS = 10; // f64: fixed-step methods: equal steps per interval (>= 1)
export const OD_RTOL = 11; // f64: dopri5 relative tolerance
export const OD_ATOL = 12; // f64: dopri5 absolute tolerance
export const OD_MAX_STEPS = 13; // f64: dopri5 most steps (accepted + rejected) per solve
export const OD_PARAMS = 14; // ptr: f32 parameters of f (PyTorch nn.Sequential order)
export const OD_GRADS = 15; // ptr: backward: f32 gradient block, same layout; accumulated into
export const OD_WS = 16; // ptr: workspace
export const OD_WS_BYTES = 17; // f64: bytes available at OD_WS (checked against ode_workspace_bytes)
export const OD_H0 = 18; // ptr: h0 [B, D]
export const OD_STATES = 19; // ptr: forward: states [B, S, D] (states[b, 0] = h0[b]); adjoint backward: the forward's states, read
export const OD_DSTATES = 20; // ptr: backward: ∂L/∂states [B, S, D]
export const OD_DH0 = 21; // ptr: backward: ∂L/∂h0 [B, D] or 0 (not wanted)
export const OD_STATS = 22; // ptr: f64 [4] out: function evaluations, steps, accepted, rejected
export const OD_GRADIENT = 23; // f64: ODE_GRAD_BACKPROP (store what reverse mode needs) | ODE_GRAD_ADJOINT (store nothing)
export const OD_ADJ_NORM = 24; // f64: adjoint dopri5 error norm: ODE_NORM_MIXED (state, adjoint, parameter adjoint) | ODE_NORM_SEMI (no parameter adjoint)
export const OD_INPUT_MAP = 25; // f64: what f's first Linear sees of h: ODE_MAP_IDENTITY (h) | ODE_MAP_CUBE (h³ elementwise; t as is)
export const OD_INPUTS = 26; // f64: input channels M of f (0 = none): f sees [h, u, t] with u held constant over each interval
export const OD_U = 27; // ptr: f32 inputs [B, S − 1, M]: u[b, s] held over [t_s, t_{s+1}] (zero-order hold); 0 when M = 0
export const OD_FIELDS = 28;
