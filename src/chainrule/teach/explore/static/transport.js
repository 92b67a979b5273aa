import { save } from "./exports.js";

// The page's transport: fetch to this server, with the token of the URL it was opened with (kept
// in this browser's storage for this server, so a share link, which holds no token, opens here too).
export function pageTransport() {
  const TOKEN_KEY = "chainrule-explore-token";
  const given = new URLSearchParams(location.search).get("token");
  if (given) { try { localStorage.setItem(TOKEN_KEY, given); } catch (e) { /* storage off: the URL's token only */ } }
  let stored = null;
  try { stored = localStorage.getItem(TOKEN_KEY); } catch (e) { /* storage off */ }
  const token = given || stored || "";
  let sid = sessionStorage.getItem("chainrule-explore-session");
  const headers = { "X-Token": token, "Content-Type": "application/json" };
  const post = async (path, body) => (await fetch(path, { method: "POST", headers, body: JSON.stringify(body || {}) })).json();
  return {
    async open() {
      const share = location.hash.startsWith("#s=") ? location.hash.slice(3) : null;
      if (sid && share === null) {           // "#s=" alone too is a link: its emptiness said below, in this tab's session
        const a = await post(`/api/session/${sid}/state`, {});
        if (a.state) return a;
      }
      // a link in a tab that has a session (one pasted and refused, then reloaded): opened in it, as one change
      // (Undo goes back); refused, the tab keeps its own network and says so again, never a new seed in its place
      if (sid && share !== null) {
        const a = await post(`/api/session/${sid}/load_share`, { code: share });
        if (a.state && a.error) a.error = `the shared link could not be opened: ${a.error}`;
        if (a.state && !a.error) history.replaceState(null, "", location.pathname + location.search);
        if (a.state) return a;
      }
      const a = await post("/api/session", share === null ? {} : { share });
      if (a.error && share !== null && !a.session) {
        a.error += ". A share link holds no token: add its #s=… part to the URL your `chainrule explore` printed.";
        return a;
      }
      sid = a.session;
      if (sid) sessionStorage.setItem("chainrule-explore-session", sid);
      if (share !== null && !a.error) history.replaceState(null, "", location.pathname + location.search);   // refused: kept
      return a;
    },
    call: (action, body) => post(`/api/session/${sid}/${action}`, body),
    async upload(file, target) {
      const q = new URLSearchParams({ name: file.name });
      if (target) q.set("target", target);
      const r = await fetch(`/api/session/${sid}/upload?${q}`, { method: "POST", headers: { "X-Token": token }, body: file });
      return r.json();
    },
    // fetched before it is saved: a refusal (the session ended, a server restarted) answers JSON the page shows,
    // where a plain link to the export failed without a word; a server that is gone throws, as `call` does
    async saveExport(kind) {
      const r = await fetch(`/api/session/${sid}/export/${kind}`, { headers: { "X-Token": token } });
      if (!r.ok) return r.json().catch(() => ({ error: `the export failed (HTTP ${r.status})` }));
      save(await r.blob(), `chainrule-${kind}`);
      return {};
    },
    // the shared state only: never the token of location.search (whoever holds it drives this server)
    shareUrl: code => `${location.origin}${location.pathname}#s=${code}`,
  };
}
