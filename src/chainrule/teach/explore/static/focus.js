// Where the keyboard stays while the page changes under it: a card's field or button focused again, with the
// number being typed in it, once an answer redraws the card, and the cards in the order they are seen on a phone.

// Where the keyboard is in the cards the state redraws (the optimizer's fields, the Network card, the Data card,
// the panel's editor): the card and the control, by what it is (its field, label, words) and which of its kind,
// so that `refocus` finds it in the redrawn card; the focus fell back to the page's start, and the next Tab or
// value typed went nowhere. The drawing keeps its own (graph.js).
const CONTROLS = "input, select, button";
const kind = e => [e.tagName, e.dataset.setting, e.dataset.k, e.dataset.d, e.getAttribute("aria-label"),
                   e.closest("label")?.querySelector("span")?.textContent, e.tagName === "BUTTON" ? e.textContent : ""].join("|");

export function focusKey(root) {
  const a = root.getRootNode().activeElement, card = a && root.contains(a) ? a.closest(".card") : null;
  if (!card || !a.matches(CONTROLS)) return null;
  const all = [...card.querySelectorAll(CONTROLS)], same = all.filter(e => kind(e) === kind(a));
  // a number being typed (not yet set with Enter): kept, caret and all, where a Train run's answer redraws its field;
  // a field's text selected (Ctrl+A, a double click) before typing: selected again, so the next key replaces it
  const text = a.matches("input[type=text]") ? { value: a.value, from: a.selectionStart, to: a.selectionEnd } : null;
  const typed = "typed" in a.dataset ? text : null;
  return { card: card.dataset.id || card.className, kind: kind(a), index: same.indexOf(a), at: all.indexOf(a), typed,
           text };
}

// The control found again; where it is gone or disabled (its layer removed, + at the most units), the card's
// nearest usable one (the next first), never the page's start: a screen reader announced "document" there.
export function refocus(root, key) {
  if (!key) return;
  const card = [...root.querySelectorAll(".card")].find(c => (c.dataset.id || c.className) === key.card);
  if (!card) return;
  const all = [...card.querySelectorAll(CONTROLS)], usable = e => e && !e.disabled && e.getClientRects().length > 0;
  const same = all.filter(e => kind(e) === key.kind)[key.index];
  let again = same;
  for (let d = 0; !usable(again) && d < all.length; d++) again = [all[key.at + d], all[key.at - d - 1]].find(usable);
  if (!usable(again)) return;
  if (again !== root.getRootNode().activeElement) again.focus({ preventScroll: true });
  if (key.typed && again === same && again.matches("input[type=text]")) {      // never into another field
    again.value = key.typed.value;
    again.setSelectionRange(key.typed.from, key.typed.to);
    again.dataset.typed = again.dataset.restored = "";       // `restored`: no change event for it (app.js onNumber)
  } else if (key.text && again === same && again.value === key.text.value) {
    again.setSelectionRange(key.text.from, key.text.to);
  }
}

// Marks a field being typed in (cleared when its number is set: a change, Enter in an editor), for `focusKey`.
export function trackTyping(root) {
  root.addEventListener("input", e => { e.target.dataset.typed = ""; delete e.target.dataset.restored; });
  root.addEventListener("change", e => { delete e.target.dataset.typed; }, true);
  root.addEventListener("submit", e => e.target.querySelectorAll("input").forEach(i => delete i.dataset.typed), true);
}

// On a phone the cards stand in one column in the order style.css gives them (the readout, the step's buttons and
// the drawing first, the settings last), but Tab follows the markup: there they move into that order, and back into
// their columns on a wider screen, so that the keyboard walks the cards as they are seen. The observer is returned.
// Moved by `quietly` (app.js): Chrome fires change on a focused field it moves, which set a number half typed ("0.0"
// of 0.07) when a phone turned; the field keeps its text, caret and the keyboard, and typing goes on.
export function followShownOrder(root, quietly) {
  const layout = root.querySelector(".layout"), top = [...layout.children];
  const cards = top.flatMap(c => (c.classList.contains("card") ? [c] : [...c.children])), homes = cards.map(c => c.parentElement);
  let phone = false;
  const watch = new ResizeObserver(() => {
    const now = getComputedStyle(root.querySelector(".controls")).display === "contents";     // style.css's phone
    if (now === phone) return;
    phone = now;
    const focused = root.getRootNode().activeElement, order = c => Number(getComputedStyle(c).order);
    const { selectionStart: from, selectionEnd: to } = focused || {};
    quietly(() => {
      if (phone) layout.append(...[...cards].sort((a, b) => order(a) - order(b)));
      else { cards.forEach((c, i) => homes[i].append(c)); layout.append(...top); }
    });
    if (!focused || !root.contains(focused) || root.getRootNode().activeElement === focused) return;
    focused.focus({ preventScroll: true });
    if ("typed" in focused.dataset && focused.matches("input[type=text]")) {
      focused.setSelectionRange(from, to);
      focused.dataset.restored = "";          // no change event for it now: Enter and leaving the field set it (onNumber)
    }
  });
  watch.observe(root);
  return watch;
}
