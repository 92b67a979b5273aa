// How the drawing writes a number: the server's text (`shown`) grouped in threes, its e-notation with a power of
// ten, and the short form of a crowded place; a card's number with as many decimals as its line has room for.

// Short form for crowded places, one rule for every magnitude: 4 significant digits where that is a plain
// decimal from 10^-6 (0.0001235, 1235), 3 significant figures grouped in threes from 10,000 (-2,980,000), and
// 3 significant figures times a power of ten from 10^10 and below 10^-6 (1.23 x 10^10, -4.5 x 10^-7): the
// bounds of the reports' e-notation (numbers.fmt), the power written as the share refusal writes it
// (limits.roughly, same rounding: a half away from zero, of the exact value, as toPrecision rounds).
export function short(v) {
  if (v === null || v === undefined) return "";
  if (!Number.isFinite(v)) return Number.isNaN(v) ? "nan" : v > 0 ? "inf" : "-inf";    // as the reports write them
  if (v === 0) return "0";
  const four = Number(v.toPrecision(4));
  if (Math.abs(four) >= 1e-6 && Math.abs(four) < 1e4) return String(four);
  const three = Number(v.toPrecision(3));
  if (Math.abs(three) >= 1e4 && Math.abs(three) < 1e10) return three.toLocaleString("en-US", { maximumFractionDigits: 0 });
  return powered(three.toExponential(2));
}

// E-notation as the page writes it: 1.234568e+10 -> 1.234568 x 10^10, -2.50e-7 -> -2.5 x 10^-7 (a short
// form's trailing zeros dropped; the server's digits kept).
const powered = (t, trim = true) => t.replace(trim ? /\.?0*e\+?/i : /e\+?/i, " x 10^").replace(/\^(-?)0+(?=\d)/, "^$1");

// A number as the server wrote it, its whole part in groups of three from 10,000 (-2,980,000.5): as `short`
// and the share refusal write large numbers; its e-notation (from 10^10, below 10^-6) with the power of ten
// as `short` writes it (1.234568 x 10^10). Shorter numbers as they are.
export const grouped = t => (typeof t !== "string" ? t : /^-?\d{5,}(\.\d*)?$/.test(t)
  ? t.replace(/^(-?)(\d+)/, (_, sign, whole) => sign + whole.replace(/\B(?=(\d{3})+$)/g, ","))
  : /^-?\d(\.\d+)?e[+-]?\d+$/i.test(t) ? powered(t, false) : t);

// The chain-rule panel's text (a line's numbers, its value, a note) in the page's notation, as the cards write
// the same numbers: each e-notation number with its power of ten (the server's digits kept), each plain number
// from 10,000 grouped in threes. In brackets where the power would run into what follows or precedes it: after
// a division ("/ (2 x 10^10)", not "/ 2 x 10^10"), a negative power before an operator or a bracket
// ("(1 x 10^-7) - 0.5", not "10^-7 - 0.5"), any power right before a bracket, a product written without its sign
// ("(7.5 x 10^-10)(1 - ...)"); not before words in brackets after a space ("not 3.7 x 10^-10 (and 1 more line").
const E_NUMBER = /(^|[^\w.])(-?\d+(?:\.\d+)?e[+-]?\d+)(?![\w]|\.\d)/gi;
const PLAIN_LARGE = /(^|[^\w.,^])(-?\d{5,}(?:\.\d+)?)(?![\w,]|\.\d)/g;
export function inPageNotation(text) {
  if (typeof text !== "string") return text;
  return text.replace(PLAIN_LARGE, (_, before, t) => before + grouped(t)).replace(E_NUMBER, (m, before, t, at, all) => {
    const after = all.slice(at + m.length), ahead = all.slice(0, at + before.length).trimEnd();
    const negative = /e-/i.test(t), next = after.trimStart();
    const bracket = ahead.endsWith("/") || after.startsWith("(") || (negative && /^[-+*/^]/.test(next));
    return before + (bracket ? `(${grouped(t)})` : grouped(t));
  });
}

// A count of steps grouped in threes from 1,000 (Training: 2,061 of 30,000 steps; step 1,200), one rule for the
// Train run's words, the readout and the loss curve.
export const count = n => (Number.isInteger(n) ? n.toLocaleString("en-US") : String(n));

// A card's number in its forms, longest first: as the server wrote it, grouped (-3,264,475.251256129), then
// with one decimal fewer each, rounded as written (-3,264,475.25125613, ..., -3,264,475); a power of ten with one
// decimal of its mantissa fewer each down to the short form's three figures (-2.5940734 x 10^18, ..., -2.59 x 10^18);
// other numbers as they are.
function cardForms(t) {
  const p = typeof t === "string" && /^(-?)(\d)\.(\d{3,})e([+-]?\d+)$/i.exec(t);
  if (p) return powerForms(...p.slice(1));
  const m = typeof t === "string" && /^(-?)(\d{5,})\.(\d+)$/.exec(t);
  if (!m) return [grouped(t)];
  const [, sign, whole, frac] = m;
  return Array.from({ length: frac.length + 1 }, (_, k) => frac.length - k).map(d => {
    const digits = rounded(whole + frac, d - frac.length), cut = digits.length - d;
    return grouped(sign + digits.slice(0, cut) + (d ? `.${digits.slice(cut)}` : ""));
  });
}

// The mantissa d.ddd...e+k with 2 to all its decimals, rounded as written (9.996e+18 with 2: 1.00 x 10^19).
function powerForms(sign, lead, frac, power) {
  return Array.from({ length: frac.length - 1 }, (_, k) => frac.length - k).map(d => {
    let digits = rounded(lead + frac, d - frac.length), p = Number(power);
    if (digits.length > d + 1) [digits, p] = [digits.slice(0, -1), p + 1];      // 9.99.. rounded up to 10.0..
    return grouped(`${sign}${digits[0]}.${digits.slice(1)}e${p}`);
  });
}

// A string of digits with its last `-drop` digits rounded away, half up (as written, not as a float would).
function rounded(digits, drop) {
  if (drop >= 0) return digits;
  const kept = digits.slice(0, drop);
  return digits[digits.length + drop] >= "5" ? String(BigInt(kept) + 1n).padStart(kept.length, "0") : kept;
}

// A card's line "prefix number", its number grouped as the drawing's labels write it, with as many decimals as
// fit in `room` px (`measure`: the line's font). The card is as wide as its numbers' ungrouped forms (or their
// whole parts grouped, where wider): the separators never widen it, and the labels between cards keep their room.
// A power of ten widens it to its every digit; `slim` cards (where that leaves the lines between them no room)
// only to its short form's three figures.
export function cardLine(prefix, t, room, measure) {
  const forms = cardForms(t);
  return prefix + (forms.find(f => measure(prefix + f) <= room) ?? forms[forms.length - 1]);
}
export function cardNeed(prefix, t, measure, slim = false) {
  const forms = cardForms(t);
  if (/e/i.test(t)) return measure(prefix + forms[slim ? forms.length - 1 : 0]);
  return Math.max(measure(prefix + t), measure(prefix + forms.at(-1)));
}

// The server's answers are standard JSON: infinity and NaN, which it has no number for, come as {"__float__":
// "Infinity"} ("-Infinity", "NaN"), the rule of a model file's description and of the share code; read back as
// the numbers here (an answer's other objects and arrays as they are).
const NON_FINITE = { Infinity: Infinity, "-Infinity": -Infinity, NaN: NaN };
export function revive(x) {
  if (Array.isArray(x)) return x.map(revive);
  if (x === null || typeof x !== "object" || Object.getPrototypeOf(x) !== Object.prototype) return x;
  const keys = Object.keys(x);
  if (keys.length === 1 && keys[0] === "__float__" && Object.hasOwn(NON_FINITE, x.__float__)) return NON_FINITE[x.__float__];
  return Object.fromEntries(keys.map(k => [k, revive(x[k])]));
}
