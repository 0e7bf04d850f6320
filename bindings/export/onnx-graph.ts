// Building an ONNX graph: nodes and initializers with unique names, and the few shapes the
// exporter needs (the batch's number of steps).
import { INT64 } from "./onnx-proto.js";
import type { Attribute, Node, Tensor } from "./onnx-proto.js";

/** Nodes and initializers of a graph, with unique names. */
export class Builder {
  readonly nodes: Node[] = [];
  readonly initializers: Tensor[] = [];
  #count = 0;

  /** A node; returns its output names (`outputs`: how many, or the names). */
  node(op: string, inputs: string[], attributes: Attribute[] = [], outputs: number | string[] = 1): string[] {
    const name = `${op}_${this.#count++}`;
    const outs = typeof outputs === "number"
      ? Array.from({ length: outputs }, (_, i) => (outputs === 1 ? name : `${name}_${i}`))
      : outputs;
    this.nodes.push({ op, name, inputs, outputs: outs, attributes });
    return outs;
  }

  /** A node with one output. */
  one(op: string, inputs: string[], attributes: Attribute[] = [], output?: string): string {
    return this.node(op, inputs, attributes, output === undefined ? 1 : [output])[0];
  }

  tensor(name: string, type: Tensor["type"], dims: number[], data: Tensor["data"]): string {
    this.initializers.push({ name, type, dims, data });
    return name;
  }

  /** A constant int64 vector (shapes, axes, slice bounds) or, with `scalar`, a 0-d int64. */
  ints(values: number[], scalar = false): string {
    return this.tensor(`const_${this.#count++}`, INT64, scalar ? [] : [values.length], values);
  }

  /** A constant 0-d tensor of one value. */
  scalar(type: Tensor["type"], value: number): string {
    return this.tensor(`const_${this.#count++}`, type, [], [value]);
  }

  transpose(x: string, perm: number[]): string {
    return this.one("Transpose", [x], [{ name: "perm", ints: perm }]);
  }

  reshape(x: string, shape: number[]): string {
    return this.one("Reshape", [x, this.ints(shape)]);
  }

  #steps = "";
  /** 0, 1, …, T − 1 (int64 [T]) for the steps T of input "x" (made once). */
  steps(): string {
    if (!this.#steps) {
      const T = this.one("Gather", [this.one("Shape", ["x"]), this.ints([1], true)], [{ name: "axis", i: 0 }]);
      this.#steps = this.one("Range", [this.ints([0], true), T, this.ints([1], true)]);
    }
    return this.#steps;
  }
}
