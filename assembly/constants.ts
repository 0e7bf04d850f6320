// The constants of the ABI, shared by both sides: the AssemblyScript core imports this file and so
// does the TypeScript layer (bindings/core/abi.ts), so there is no second copy. Plain integer
// literals only: the file must compile as AssemblyScript (i32 constants) and as TypeScript.

// Recurrent cells (the `cell` field of a pass descriptor). G gates: 1, 1, 4, 3, 1.
export const CELL_RNN_TANH = 0;
export const CELL_RNN_RELU = 1;
export const CELL_LSTM = 2;
export const CELL_GRU = 3;
/** Elman with the identity as φ (not in PyTorch; for gradient-flow experiments). */
export const CELL_RNN_LINEAR = 4;
export const CELL_COUNT = 5;

// Error codes returned by the validating exports (0 = success). docs/ABI.md lists them.
export const OK = 0;
export const ERR_CELL = -1;          // unknown cell id
export const ERR_SIZE = -2;          // a size is < 1, more than 4096 layers, or D is not 1 or 2
export const ERR_TOO_LARGE = -3;     // a tensor or the workspace would pass 4 GiB
export const ERR_LENGTHS = -4;       // a length is outside 1..T
export const ERR_WORKSPACE = -5;     // the workspace the caller passed is smaller than needed
export const ERR_BOUNDS = -6;        // a tensor runs past the end of memory, or a required one is 0
export const ERR_NO_FORWARD = -7;    // backward: the workspace does not hold a forward of this shape
export const ERR_ARGUMENT = -8;      // another argument is out of range (truncate < 0, checkpoint not 0/1)

// The recurrent pass descriptor: RD_FIELDS consecutive 32-bit fields in linear memory, written by
// the host once per call and passed to rnn_forward / rnn_backward / rnn_workspace_bytes by address.
// Fields hold i32 sizes and flags, or u32 byte offsets (pointers; 0 = absent).
export const RD_CELL = 0;        // i32: CELL_*
export const RD_B = 1;           // i32: batch
export const RD_T = 2;           // i32: steps
export const RD_I = 3;           // i32: input size
export const RD_H = 4;           // i32: hidden size
export const RD_L = 5;           // i32: layers
export const RD_D = 6;           // i32: directions (1 or 2)
export const RD_CHECKPOINT = 7;  // i32: 0 keep all activations, 1 one state per ⌈√T⌉ steps
export const RD_TRUNCATE = 8;    // i32: backward: 0 full BPTT, k >= 1 BPTT(k)
export const RD_PARAMS = 9;      // ptr: f32 parameter block (rnn_param_count floats)
export const RD_GRADS = 10;      // ptr: backward: f32 gradient block, same layout; accumulated into
export const RD_WS = 11;         // ptr: workspace
export const RD_WS_BYTES = 12;   // u32: bytes available at RD_WS (checked against rnn_workspace_bytes)
export const RD_X = 13;          // ptr: x [B, T, I]
export const RD_LENGTHS = 14;    // ptr: i32 [B], each in 1..T; 0 = all T
export const RD_H0 = 15;         // ptr: [L·D, B, H] or 0 (zeros)
export const RD_C0 = 16;         // ptr: LSTM [L·D, B, H] or 0
export const RD_OUT = 17;        // ptr: forward: output [B, T, D·H]
export const RD_HN = 18;         // ptr: forward: h_n [L·D, B, H]
export const RD_CN = 19;         // ptr: forward: LSTM c_n [L·D, B, H] or 0
export const RD_DOUT = 20;       // ptr: backward: ∂L/∂output [B, T, D·H] or 0
export const RD_DHN = 21;        // ptr: backward: ∂L/∂h_n or 0
export const RD_DCN = 22;        // ptr: backward: ∂L/∂c_n or 0
export const RD_DX = 23;         // ptr: backward: ∂L/∂x [B, T, I] or 0 (not wanted)
export const RD_DH0 = 24;        // ptr: backward: ∂L/∂h0 or 0
export const RD_DC0 = 25;        // ptr: backward: ∂L/∂c0 or 0
export const RD_DHS = 26;        // ptr: backward: [L·D, T, B, H] per-step ∂L/∂h_t, or 0
export const RD_FIELDS = 27;
