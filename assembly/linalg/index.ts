export * from "./gemm";
export * from "./vector";
