// A small JavaScript lexer for the code model's measurements: which characters are code, string,
// template-literal text, comment or regular-expression literal; the brace depth at every
// character; and for every closing character () ] } and the closing quote of a string or
// template literal) the position of its opener. It knows escapes, `${ … }` inside templates
// (nested to any depth), // and /* */ comments, and tells a regex literal from a division by the
// token before the slash (as the JavaScript grammar does, without parsing).

export const CODE = 0, STRING = 1, TEMPLATE = 2, LINE_COMMENT = 3, BLOCK_COMMENT = 4, REGEX = 5;
const OPENERS = { ")": "(", "]": "[", "}": "{" };
// after these words an expression starts, so a slash begins a regex literal
const KEYWORDS = new Set(["return", "typeof", "instanceof", "in", "of", "new", "delete", "void", "throw", "case", "do",
  "else", "yield", "await"]);
const isWord = (c) => /[A-Za-z0-9_$]/.test(c);

/**
 * Lex src. Returns { kind: Uint8Array (CODE, STRING, …), depth: Int32Array (enclosing { } of each
 * character, an opening brace counted inside its block, a closing one too), pairs: [[open,
 * close], …] (brackets in code, string and template quotes), opener: Int32Array (the opener's
 * position for each closing character, −1 elsewhere) }.
 */
export function lexJs(src) {
  const n = src.length, kind = new Uint8Array(n), depth = new Int32Array(n), opener = new Int32Array(n).fill(-1);
  const pairs = [], stack = []; // stack: { ch, at, template } (template: a `${` whose } resumes the template)
  let d = 0, i = 0, regexOk = true, inTemplate = false, templateAt = -1;
  const pair = (a, b) => {
    pairs.push([a, b]);
    opener[b] = a;
  };
  const mark = (from, to, k) => {
    for (let j = from; j < to && j < n; j++) {
      kind[j] = k;
      depth[j] = d;
    }
  };
  // template text from i (after ` or }) up to the closing ` or a ${
  function template() {
    while (i < n) {
      const c = src[i];
      if (c === "\\") {
        mark(i, i + 2, TEMPLATE);
        i += 2;
      } else if (c === "`") {
        mark(i, i + 1, TEMPLATE);
        pair(templateAt, i);
        i++;
        inTemplate = false;
        regexOk = false;
        return;
      } else if (c === "$" && src[i + 1] === "{") {
        mark(i, i + 1, TEMPLATE);
        d++;
        mark(i + 1, i + 2, CODE);
        stack.push({ ch: "{", at: i + 1, template: true, templateAt });
        i += 2;
        inTemplate = false;
        regexOk = true;
        return;
      } else {
        mark(i, i + 1, TEMPLATE);
        i++;
      }
    }
  }
  while (i < n) {
    if (inTemplate) {
      template();
      continue;
    }
    const c = src[i], c2 = src[i + 1];
    if (c === "/" && c2 === "/") {
      const e = src.indexOf("\n", i);
      const end = e < 0 ? n : e;
      mark(i, end, LINE_COMMENT);
      i = end;
    } else if (c === "/" && c2 === "*") {
      const e = src.indexOf("*/", i + 2);
      const end = e < 0 ? n : e + 2;
      mark(i, end, BLOCK_COMMENT);
      i = end;
    } else if (c === "'" || c === '"') {
      const start = i;
      mark(i, i + 1, STRING);
      i++;
      while (i < n && src[i] !== c && src[i] !== "\n") {
        const w = src[i] === "\\" ? 2 : 1;
        mark(i, i + w, STRING);
        i += w;
      }
      if (src[i] === c) {
        mark(i, i + 1, STRING);
        pair(start, i);
        i++;
      }
      regexOk = false;
    } else if (c === "`") {
      mark(i, i + 1, TEMPLATE);
      templateAt = i;
      i++;
      inTemplate = true;
    } else if (c === "/" && regexOk) {
      const start = i;
      let inClass = false;
      i++;
      while (i < n && src[i] !== "\n") {
        if (src[i] === "\\") i++;
        else if (src[i] === "[") inClass = true;
        else if (src[i] === "]") inClass = false;
        else if (src[i] === "/" && !inClass) break;
        i++;
      }
      i++;
      while (i < n && /[a-z]/.test(src[i])) i++; // flags
      mark(start, i, REGEX);
      regexOk = false;
    } else if (isWord(c)) {
      const start = i;
      while (i < n && isWord(src[i])) i++;
      mark(start, i, CODE);
      regexOk = KEYWORDS.has(src.slice(start, i));
    } else {
      if (c === "(" || c === "[" || c === "{") {
        if (c === "{") d++;
        stack.push({ ch: c, at: i, template: false });
        mark(i, i + 1, CODE);
      } else if (c === ")" || c === "]" || c === "}") {
        mark(i, i + 1, CODE);
        const top = stack[stack.length - 1];
        if (top && top.ch === OPENERS[c]) {
          stack.pop();
          pair(top.at, i);
          if (c === "}") d--;
          if (top.template) {
            i++;
            templateAt = top.templateAt;
            inTemplate = true;
            continue;
          }
        }
      } else mark(i, i + 1, CODE);
      if (!/\s/.test(c)) regexOk = !(c === ")" || c === "]" || c === "}");
      i++;
    }
  }
  return { kind, depth, pairs, opener };
}
