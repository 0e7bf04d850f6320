export * from "./gemm";
export { gemm_ref } from "./gemm-ref";
export { pack_panels } from "./pack";
export * from "./vector";
