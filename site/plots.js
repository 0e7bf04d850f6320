// The playground's plots on 2-D canvases: axes with labelled ticks, a placeholder before there is
// anything to draw, loss curves, the gradient heatmap with its colour scale, predicted against
// actual values (a series over time, or a scatter), and a confusion matrix. Each draw function
// clears its canvas first and returns the rectangle of its plot area.
"use strict";
const INK = "#555", GRID = "#eee", FONT = "11px system-ui, sans-serif";

/** About n round tick values covering [lo, hi]. */
function niceTicks(lo, hi, n = 5) {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / n, mag = 10 ** Math.floor(Math.log10(raw)), f = raw / mag;
  const step = (f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10) * mag, out = [];
  for (let v = Math.ceil(lo / step - 1e-9) * step; v <= hi + step * 1e-9; v += step) {
    out.push(Math.abs(v) < step * 1e-9 ? 0 : v);
  }
  return out;
}
const tickText = (
  v,
) => (Math.abs(v) >= 1e4 || (Math.abs(v) < 1e-3 && v !== 0) ? v.toExponential(0) : String(+v.toPrecision(4)));

function clear(c) {
  const g = c.getContext("2d");
  g.setTransform(1, 0, 0, 1, 0, 0);
  g.fillStyle = "#fff";
  g.fillRect(0, 0, c.width, c.height);
  g.font = FONT;
  return g;
}

/** A message in the middle of an empty frame: what the canvas will show once the model trains. */
function placeholder(c, lines) {
  const g = clear(c);
  g.strokeStyle = "#ccc";
  g.setLineDash([5, 4]);
  g.strokeRect(8.5, 8.5, c.width - 17, c.height - 17);
  g.setLineDash([]);
  g.fillStyle = "#777";
  g.textAlign = "center";
  g.font = "13px system-ui, sans-serif";
  [].concat(lines).forEach((l, i, all) => g.fillText(l, c.width / 2, c.height / 2 + (i - (all.length - 1) / 2) * 18));
  g.textAlign = "left";
}

/** Axes with ticks and labels over the data ranges; returns the mapping from data to pixels. */
function axes(g, c, xr, yr, xLabel, yLabel, opts = {}) {
  const box = { x: 52, y: 10, w: c.width - 52 - (opts.right ?? 12), h: c.height - 10 - 40 };
  const X = (v) => box.x + ((v - xr[0]) / (xr[1] - xr[0] || 1)) * box.w,
    Y = (v) => box.y + box.h - ((v - yr[0]) / (yr[1] - yr[0] || 1)) * box.h;
  g.lineWidth = 1;
  g.fillStyle = INK;
  g.textAlign = "right";
  g.textBaseline = "middle";
  for (const v of opts.yTicks ?? niceTicks(yr[0], yr[1], 5)) {
    const y = Math.round(Y(v)) + 0.5;
    g.strokeStyle = GRID;
    g.beginPath();
    g.moveTo(box.x, y);
    g.lineTo(box.x + box.w, y);
    g.stroke();
    g.fillText((opts.yText ?? tickText)(v), box.x - 5, y);
  }
  g.textAlign = "center";
  g.textBaseline = "top";
  for (const v of opts.xTicks ?? niceTicks(xr[0], xr[1], 6)) {
    const x = Math.round(X(v)) + 0.5;
    g.strokeStyle = GRID;
    g.beginPath();
    g.moveTo(x, box.y);
    g.lineTo(x, box.y + box.h);
    g.stroke();
    g.fillText((opts.xText ?? tickText)(v), x, box.y + box.h + 4);
  }
  g.strokeStyle = "#999";
  g.beginPath();
  g.moveTo(box.x + 0.5, box.y);
  g.lineTo(box.x + 0.5, box.y + box.h + 0.5);
  g.lineTo(box.x + box.w, box.y + box.h + 0.5);
  g.stroke();
  g.fillText(xLabel, box.x + box.w / 2, c.height - 15);
  g.save();
  g.translate(11, box.y + box.h / 2);
  g.rotate(-Math.PI / 2);
  g.textBaseline = "middle";
  g.fillText(yLabel, 0, 0);
  g.restore();
  g.textAlign = "left";
  g.textBaseline = "alphabetic";
  return { X, Y, box };
}

function range(values, pad = 0.05) {
  const v = values.filter(Number.isFinite);
  let lo = Math.min(...v), hi = Math.max(...v);
  if (lo === hi) (lo -= 1), (hi += 1);
  const m = (hi - lo) * pad;
  return [lo - m, hi + m];
}

function line(g, xs, ys, X, Y, color, width = 2) {
  g.strokeStyle = color;
  g.lineWidth = width;
  g.beginPath();
  ys.forEach((v, i) => (i ? g.lineTo(X(xs[i]), Y(v)) : g.moveTo(X(xs[i]), Y(v))));
  g.stroke();
}

/** Training and validation loss per epoch (epochs planned sets the x range). */
function drawCurves(c, train, val, planned, yLabel) {
  const g = clear(c), n = Math.max(2, planned, train.length), epochs = train.map((_, i) => i + 1);
  const { X, Y, box } = axes(g, c, [1, n], range(train.concat(val), 0.08), "epoch", yLabel, {
    xTicks: niceTicks(1, n, 6).filter((v) => Number.isInteger(v) && v >= 1),
  });
  line(g, epochs, train, X, Y, "#36c");
  if (val.length) line(g, epochs, val, X, Y, "#e63");
  return box;
}

/** Colour of u in [0, 1]: dark blue (small) through green to yellow (large). */
const heatColor = (u) => `hsl(${240 - 180 * u}, 80%, ${20 + 45 * u}%)`;

/** ‖∂L/∂h_t‖ per step (rows, t = 1 at the top) and epoch (columns), log10 colour with a colour bar. */
function drawHeatmap(c, columns, planned) {
  const g = clear(c);
  const T = columns[0].length, cols = Math.max(columns.length, planned, 2);
  // steps past every probe sequence's end have no gradient (0): drawn grey, out of the colour range
  const logs = columns.flatMap((col) => Array.from(col).filter((v) => v > 0).map(Math.log10));
  let lo = logs.length ? Math.min(...logs) : -1, hi = logs.length ? Math.max(...logs) : 0;
  if (hi - lo < 1e-6) (lo -= 0.5), (hi += 0.5);
  const { box } = axes(g, c, [0.5, cols + 0.5], [T + 0.5, 0.5], "epoch", "step t", { right: 64,
    xTicks: niceTicks(1, cols, 6).filter((v) => Number.isInteger(v) && v >= 1),
    yTicks: niceTicks(1, T, 5).filter((v) => Number.isInteger(v) && v >= 1) });
  const cw = box.w / cols, rh = box.h / T;
  columns.forEach((col, e) =>
    col.forEach((v, t) => {
      g.fillStyle = v > 0 ? heatColor((Math.log10(v) - lo) / (hi - lo)) : "#ddd";
      g.fillRect(box.x + 1 + e * cw, box.y + t * rh, Math.ceil(cw), Math.ceil(rh));
    })
  );
  // the colour bar: log10 of the norm, with its ticks
  const bx = c.width - 52, bw = 12;
  for (let i = 0; i < box.h; i++) {
    g.fillStyle = heatColor(1 - i / box.h);
    g.fillRect(bx, box.y + i, bw, 1);
  }
  g.fillStyle = INK;
  g.textBaseline = "middle";
  const ticks = niceTicks(lo, hi, 4), whole = ticks.filter(Number.isInteger);
  for (const v of whole.length >= 2 ? whole : ticks) {
    const y = box.y + (1 - (v - lo) / (hi - lo)) * box.h;
    g.fillRect(bx + bw, y, 3, 1);
    g.fillText(`1e${+v.toFixed(1)}`, bx + bw + 5, y);
  }
  g.textBaseline = "alphabetic";
  return { box, filled: columns.length / cols };
}

/** Actual and predicted values over time, in the data's units. */
function drawSeries(c, time, actual, predicted, xLabel, yLabel) {
  const g = clear(c);
  const { X, Y, box } = axes(g, c, [time[0], time[time.length - 1]], range(actual.concat(predicted)), xLabel, yLabel);
  line(g, time, actual, X, Y, "#999", 2);
  line(g, time, predicted, X, Y, "#e63", 2);
  return box;
}

/** Predicted against actual values, in the data's units, with the line y = x. */
function drawScatter(c, actual, predicted, label) {
  const g = clear(c), r = range(actual.concat(predicted));
  const { X, Y, box } = axes(g, c, r, r, `measured ${label}`, `predicted`);
  g.strokeStyle = "#bbb";
  g.setLineDash([4, 3]);
  g.beginPath();
  g.moveTo(X(r[0]), Y(r[0]));
  g.lineTo(X(r[1]), Y(r[1]));
  g.stroke();
  g.setLineDash([]);
  g.fillStyle = "rgba(230, 102, 51, 0.7)";
  actual.forEach((a, i) => g.fillRect(X(a) - 2, Y(predicted[i]) - 2, 4, 4));
  return box;
}

/** A confusion matrix: rows the true class, columns the predicted one, shaded by share of the row. */
function drawConfusion(c, matrix, labels) {
  const g = clear(c), k = labels.length, box = { x: 90, y: 24, w: c.width - 110, h: c.height - 24 - 48 };
  const cw = box.w / k, rh = box.h / k;
  g.textAlign = "center";
  g.textBaseline = "middle";
  matrix.forEach((row, i) => {
    const total = row.reduce((a, b) => a + b, 0) || 1;
    row.forEach((n, j) => {
      const u = n / total;
      g.fillStyle = i === j ? `rgba(51, 102, 204, ${0.1 + 0.8 * u})` : `rgba(230, 102, 51, ${0.05 + 0.8 * u})`;
      g.fillRect(box.x + j * cw + 1, box.y + i * rh + 1, cw - 2, rh - 2);
      g.fillStyle = u > 0.55 ? "#fff" : "#222";
      g.font = "14px system-ui, sans-serif";
      g.fillText(String(n), box.x + (j + 0.5) * cw, box.y + (i + 0.5) * rh);
    });
  });
  g.font = FONT;
  g.fillStyle = INK;
  labels.forEach((l, j) => g.fillText(l, box.x + (j + 0.5) * cw, box.y + box.h + 12));
  g.fillText("predicted shape", box.x + box.w / 2, c.height - 12);
  g.textAlign = "right";
  labels.forEach((l, i) => g.fillText(l, box.x - 6, box.y + (i + 0.5) * rh));
  g.textAlign = "left";
  g.fillText("true shape (rows)", 4, 10);
  g.textBaseline = "alphabetic";
  return box;
}
