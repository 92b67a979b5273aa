// The page's keys: Ctrl+Z undoes, Ctrl+Shift+Z and Ctrl+Y redo (⌘ on a Mac), as in editors; not in a text field,
// whose typing the browser undoes (a menu or a checkbox has none: its change is the network's, undone here).

const TEXT_FIELD = "textarea, [contenteditable], input:not([type=checkbox], [type=radio], [type=file], [type=range])";

// The page's keys anywhere on it; in a notebook only where the keyboard is in the explorer (Jupyter's own).
// `call` sends Undo and Redo (app.js, in turn with the others). Returned: what lets the keys go (the page's dispose).
export function listenToKeys(root, call) {
  const keysOn = root.classList.contains("in-notebook") ? root : root.ownerDocument;
  const pageKeys = e => {
    const key = e.key.toLowerCase(), typing = e.target.closest && e.target.closest(TEXT_FIELD);
    if ((e.ctrlKey || e.metaKey) && !e.altKey && !typing && ["z", "y"].includes(key)) {
      const act = key === "z" && !e.shiftKey ? "undo" : "redo", button = root.querySelector(`[data-act="${act}"]`);
      e.preventDefault();
      if (!button.disabled) call(act);
    }
    // a key the explorer acts on is its own, not a notebook's too: Enter (a field's number set, a button or an item of
    // the drawing clicked; Shift+Enter also ran the cell) and every key a handler here took (its default prevented:
    // the drawing's arrows, Escape in the Export menu, Ctrl+Z)
    if (e.key === "Enter" || e.defaultPrevented) e.stopPropagation();
  };
  keysOn.addEventListener("keydown", pageKeys);
  return () => keysOn.removeEventListener("keydown", pageKeys);
}
