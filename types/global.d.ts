// Types for the <script> bundle (dist/recurrent.iife.js, package path "recurrent-wasm/browser"),
// which defines the global `Recurrent`. In a TypeScript file of a page that loads the script:
//   /// <reference types="recurrent-wasm/global" />
//   await Recurrent.init(); const m = new Recurrent.Model({ inputSize: 3, hiddenSize: 8, outputSize: 1 });
import type * as RecurrentModule from "../dist/types/bindings/index.js";

declare global {
  const Recurrent: typeof RecurrentModule;
}
export {};
