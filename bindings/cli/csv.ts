// CSV per RFC 4180 (quoted fields with embedded commas, quotes and line breaks; CRLF or LF; a
// leading UTF-8 byte-order mark), strict decimal numbers, quoting for output, and reading the files
// the options name.

import { readFileSync } from "node:fs";

/** A user-facing error of the command line: one line on stderr, exit code 2. */
export class UsageError extends Error {}

/** A file's text; a UsageError naming the option when it cannot be read. */
export function readText(file: string, what: string): string {
  return new TextDecoder("utf-8", { ignoreBOM: true }).decode(readBytes(file, what));
}

/** A file's bytes; a UsageError naming the option when it cannot be read. */
export function readBytes(file: string, what: string): Uint8Array {
  try {
    return readFileSync(file);
  } catch (e) {
    throw new UsageError(`cannot read ${what} ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

export interface Csv {
  header: string[];
  rows: string[][]; /** 1-based line where each row starts. */
  lines: number[];
}

/** Parse CSV text; `file` names it in errors (an unterminated quote, a row wider than the header). */
export function parseCsv(text: string, file = "input"): Csv {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const rows: string[][] = [], lines: number[] = [];
  let row: string[] = [], field = "", quoted = false, line = 1, start = 1, quoteLine = 0;
  const endRow = () => {
    row.push(field);
    field = "";
    if (row.length > 1 || row[0] !== "") {
      rows.push(row);
      lines.push(start);
    }
    row = [];
  };
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else {
        if (ch === "\n") line++;
        field += ch;
      }
    } else if (ch === '"') {
      if (field !== "") {
        throw new UsageError(
          `${file} line ${line}: a quote inside an unquoted field (quote the whole field and double the quote: "a""b")`,
        );
      }
      quoted = true;
      quoteLine = line;
    } else if (ch === ",") {
      row.push(field);
      field = "";
    } else if (ch === "\n" || ch === "\r") {
      if (ch === "\r" && text[i + 1] === "\n") i++;
      endRow();
      line++;
      start = line;
    } else field += ch;
  }
  if (quoted) throw new UsageError(`${file} line ${quoteLine}: a quoted field is never closed`);
  if (field !== "" || row.length) endRow();
  const header = (rows.shift() ?? []).map((h) => h.trim());
  lines.shift();
  if (header.length === 0) throw new UsageError(`${file} is empty (expected a header row)`);
  rows.forEach((r, k) => {
    if (r.length > header.length) {
      throw new UsageError(`${file} line ${lines[k]}: ${r.length} fields, but the header has ${header.length}`);
    }
  });
  return { header, rows, lines };
}

const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** A decimal number such as -1.5, 3, .25 or 2e-3 (surrounding spaces allowed); anything else
 *  (empty, blank, 0x10, NaN, Infinity, 1,5) is undefined. */
export function decimal(s: string): number | undefined {
  const t = s.trim();
  if (!DECIMAL.test(t)) return undefined;
  const v = Number(t);
  return Number.isFinite(v) ? v : undefined;
}

/** One CSV field, quoted when it holds a comma, a quote, a line break or edge spaces. */
export function quoteCsv(s: string): string {
  return /[",\r\n]|^\s|\s$/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
