// Loaded with `node --import` before dist/cli.js by test/integration/cli.test.ts, to act at an exact moment
// of a `train` run (CLI_HOOK names which):
//   sigint-in-predict  the process sends itself SIGINT (a Ctrl-C) inside the test split's predict
//   sigint-in-save     ... inside Model.save, while the model file is being made
//   kill-in-write      SIGKILL after the first 64 bytes reach the temporary file (a crash mid-save)
//   foreign-tmp        before training, a file "<out>.<pid>.tmp" that this process did not create
import fs from "node:fs";
import { syncBuiltinESMExports } from "node:module";
import { Model } from "../../dist/index.js";

const hook = process.env.CLI_HOOK;
const spin = (ms) => {
  const t = Date.now();
  while (Date.now() - t < ms);
};
if (hook === "sigint-in-predict" || hook === "sigint-in-save") {
  const name = hook === "sigint-in-predict" ? "predict" : "save";
  const original = Model.prototype[name];
  Model.prototype[name] = function(...args) {
    process.kill(process.pid, "SIGINT");
    spin(200); // the signal arrives while this call runs
    return original.apply(this, args);
  };
} else if (hook === "kill-in-write") {
  const open = fs.openSync, write = fs.writeSync, ours = new Set();
  fs.openSync = (path, ...rest) => {
    const fd = open(path, ...rest);
    if (String(path).endsWith(".tmp")) ours.add(fd);
    return fd;
  };
  fs.writeSync = (fd, buffer, ...rest) => {
    if (ours.has(fd)) {
      write(fd, buffer, 0, 64);
      process.kill(process.pid, "SIGKILL");
      spin(5000);
    }
    return write(fd, buffer, ...rest);
  };
  syncBuiltinESMExports();
} else if (hook === "foreign-tmp") {
  fs.writeFileSync(`${process.env.CLI_HOOK_OUT}.${process.pid}.tmp`, "not this process's\n");
}
