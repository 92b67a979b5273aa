// How the page reads a number typed in a field: decimal writing only (Number() also reads 0x10 as 16 and 0b1 as 1,
// which nobody means in a weight), a Unicode minus as "-", and a refusal that says what was typed and why.

const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;
// a minus sign as a PDF, a word processor or the seed documents write it (U+2212, its small and full-width forms):
// read as "-", so "−0.3" copied from them is -0.3
const MINUS = /[\u2212\uFE63\uFF0D]/g;
const GROUPED = /^\d{1,3}(,\d{3})+$/;         // a whole number in groups of three, as the page writes "10,000"

// The number `typed` in the field `name` says, as { value } or { refused: the words saying why }: blank or not a
// finite number is refused (an empty field is never read as 0). A count (`grouped`: the steps to train) may be written
// as the page writes counts, "10,000"; elsewhere a comma is a decimal comma ("1,5"), which the refusal answers with
// the decimal point the page reads. `badInput`: the browser's own number field held something it could not read.
export function readTyped(typed, name, grouped = false, badInput = false) {
  const raw = typed.trim().replace(MINUS, "-"), text = grouped && GROUPED.test(raw) ? raw.replace(/,/g, "") : raw;
  const v = DECIMAL.test(text) ? Number(text) : NaN;
  if (text !== "" && Number.isFinite(v)) return { value: v };
  // "1,000" in a weight's field is a thousand or, written with a decimal comma, 1.000: both answered; "1,5" steps
  // is no count (nor 1.5 a step count): a count's own writing answered
  const commas = (text.match(/,/g) || []).length, plain = text.replace(/,/g, "");
  const comma = !commas ? ""
    : grouped ? " (a count is written 10000, or in groups of three: 10,000)"
      : GROUPED.test(text.replace(/^[+-]/, "")) ? ` (write a number without commas, ${plain}` +
        (commas === 1 ? `, and decimals with a point, ${text.replace(",", ".")})` : ")")
        : /^[+-]?\d*,\d+$/.test(text) ? ` (write decimals with a point: ${text.replace(",", ".")})` : "";
  return { refused: text !== "" ? `${name}: "${text}" is not a finite number${comma}; nothing was changed`
    : badInput ? `${name}: what was typed is not a number; nothing was changed`
      : `${name} is empty: type a number (nothing was changed)` };
}
