// Files the page saves: the drawing as SVG or PNG (made here from the page's own SVG), and any
// file the server sends.

// The drawing as a standalone SVG (the page's styles copied as SVG attributes) or a PNG of it.
const STYLE_PROPS = ["fill", "stroke", "stroke-width", "stroke-opacity", "stroke-dasharray", "opacity", "font-family",
                     "font-size", "font-weight", "text-anchor", "dominant-baseline", "fill-opacity"];
function standaloneSvg(svg) {
  const clone = svg.cloneNode(true);
  const src = svg.querySelectorAll("*"), dst = clone.querySelectorAll("*");
  src.forEach((e, i) => {
    const cs = getComputedStyle(e);
    for (const p of STYLE_PROPS) dst[i].setAttribute(p, cs.getPropertyValue(p));   // presentation attributes
  });
  clone.setAttribute("xmlns", "http://www.w3.org/2000/svg");
  const vb = svg.viewBox.baseVal;
  clone.setAttribute("width", vb.width);
  clone.setAttribute("height", vb.height);
  const bg = document.createElementNS("http://www.w3.org/2000/svg", "rect");
  bg.setAttribute("width", "100%"); bg.setAttribute("height", "100%"); bg.setAttribute("fill", "#fff");
  clone.insertBefore(bg, clone.firstChild);
  return new XMLSerializer().serializeToString(clone);
}

export function save(blob, name) {
  const a = document.createElement("a");
  a.href = URL.createObjectURL(blob);
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 5000);
}

export function exportDrawing(svg, kind) {
  const text = standaloneSvg(svg);
  const blob = new Blob([text], { type: "image/svg+xml" });
  if (kind === "svg") { save(blob, "chainrule-network.svg"); return; }
  const img = new Image(), vb = svg.viewBox.baseVal;
  img.onload = () => {
    const c = document.createElement("canvas");
    c.width = vb.width * 2; c.height = vb.height * 2;
    const ctx = c.getContext("2d");
    ctx.scale(2, 2);
    ctx.drawImage(img, 0, 0);
    c.toBlob(b => save(b, "chainrule-network.png"), "image/png");
  };
  img.src = URL.createObjectURL(blob);
}
