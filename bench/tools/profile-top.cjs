// The top self-time functions of a V8 CPU profile (node --cpu-prof), wasm functions named by their
// index in build/recurrent.wat. Usage: node bench/tools/profile-top.cjs DIR_WITH_ONE_.cpuprofile
const fs = require("fs");
const d = process.argv[2];
const f = fs.readdirSync(d)[0];
const p = JSON.parse(fs.readFileSync(d + "/" + f));
const names = {};
fs.readFileSync(require("path").join(__dirname, "../../build/recurrent.wat"), "utf8").split("\n").filter(l =>
  l.startsWith(" (func $")
).forEach((l, i) => names["wasm-function[" + (i + 1) + "]"] = l.split(" ")[2].replace(/^\$assembly\//, ""));
const byId = {};
for (const n of p.nodes) byId[n.id] = n;
const self = {};
const cnt = {};
for (const s of p.samples) cnt[s] = (cnt[s] || 0) + 1;
let tot = 0;
for (const id in cnt) {
  const n = byId[id];
  let k = n.callFrame.functionName || n.callFrame.url;
  k = names[k] || k;
  self[k] = (self[k] || 0) + cnt[id];
  tot += cnt[id];
}
console.log(
  Object.entries(self).sort((a, b) => b[1] - a[1]).slice(0, 7).map(([k, v]) => (100 * v / tot).toFixed(0) + "% " + k)
    .join(", "),
);
