// The emulator's chat page: plain JavaScript, no build step. It long-polls
// /emulator/state and re-renders; user input goes to the emulator's JSON API.
"use strict";

const $ = (sel, el = document) => el.querySelector(sel);
const el = (tag, cls, text) => {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
};
const colors = ["#4f6bed", "#e0679b", "#2aa198", "#d9822b", "#7048c9", "#3b9ad9"];

let state = { version: 0, users: [], chats: {}, log: [], settings: {} };
const open = new Set(JSON.parse(localStorage.getItem("open-users") || "[]"));
let seenUsers = null; // uids known at the last render: new ones open by themselves
const openLog = new Set();

async function api(method, path, body) {
  const r = await fetch(path, {
    method, headers: { "Content-Type": "application/json" }, body: JSON.stringify(body),
  });
  if (!r.ok) throw new Error((await r.text()).trim() || r.statusText);
  return r.json();
}

async function poll() {
  for (;;) {
    try {
      const r = await fetch("/emulator/state?after=" + state.version, { cache: "no-store" });
      if (r.ok) { state = await r.json(); render(); continue; }
    } catch (e) { /* the emulator restarted or is gone: retry */ }
    await new Promise(res => setTimeout(res, 1000));
  }
}

// The bot's reply queue, when it has one: polled every second, since its
// numbers change without the emulator's state changing.
async function pollQueue() {
  for (;;) {
    let q = null;
    try {
      const r = await fetch("/emulator/queue", { cache: "no-store" });
      if (r.status === 200) q = await r.json();
    } catch (e) { /* the emulator is gone: hide the badge and retry */ }
    renderQueue(q);
    await new Promise(res => setTimeout(res, 1000));
  }
}

function renderQueue(q) {
  const b = $("#queue-badge");
  b.hidden = q === null;
  if (!q) return;
  const parts = ["reply queue: " + q.depth + " queued", q.sent + " sent"];
  if (q.failed) parts.push(q.failed + " failed");
  if (q.depth) parts.push("oldest " + (q.oldest_age_ms / 1000).toFixed(1) + " s");
  b.textContent = parts.join(" · ");
  b.classList.toggle("busy", q.depth > 0);
  b.classList.toggle("failed", q.failed > 0);
}

function saveOpen() { localStorage.setItem("open-users", JSON.stringify([...open])); }

function render() {
  const uids = state.users.map(u => u.uid);
  if (seenUsers === null && open.size === 0) uids.slice(0, 3).forEach(u => open.add(u));
  if (seenUsers !== null) uids.filter(u => !seenUsers.has(u)).forEach(u => open.add(u));
  seenUsers = new Set(uids);
  for (const u of [...open]) if (!seenUsers.has(u)) open.delete(u);
  saveOpen();
  renderHeader();
  renderDev();
  renderChips();
  renderColumns();
  renderLog();
}

function renderHeader() {
  const s = state.settings;
  $("#bot-url").textContent = s.botUrl;
  const f = s.faults || {};
  const parts = [];
  if (f.status) parts.push("API answers " + f.status);
  if (f.latencyMs) parts.push("+" + f.latencyMs + " ms");
  $("#fault-badge").hidden = parts.length === 0;
  $("#fault-badge").textContent = "Faults on: " + parts.join(", ");
  const form = $("#settings-form");
  if (!$("#settings").open) {
    form.botUrl.value = s.botUrl;
    form.status.value = String(f.status || 0);
    form.latencyMs.value = f.latencyMs || 0;
  }
}

// The development loop's status (sociogram dev): a badge while it builds or
// after a restart, a banner when the build failed or the bot stopped.
function renderDev() {
  const d = state.dev, badge = $("#dev-badge"), banner = $("#dev-banner");
  badge.hidden = !d || d.state === "failed" || d.state === "stopped";
  banner.hidden = !d || !(d.state === "failed" || d.state === "stopped");
  if (!d) return;
  banner.dataset.state = d.state;
  badge.dataset.state = d.state;
  if (d.state === "building") badge.textContent = "rebuilding the bot…";
  else badge.textContent = (d.restarts > 1 ? "bot restarted " : "bot started ") + new Date(d.at).toLocaleTimeString();
  if (d.state === "failed") {
    $("#dev-title").textContent = d.serving ? "The build failed: the bot still running is the previous build. Fix the error and save."
      : "The build failed: no bot is running. Fix the error and save.";
  } else {
    $("#dev-title").textContent = "The bot stopped. Its log is in the terminal; save a change to restart it.";
  }
  $("#dev-detail").textContent = d.detail || "";
}

function color(uid) { return colors[uid % colors.length]; }

function renderChips() {
  const box = $("#user-chips");
  box.replaceChildren(...state.users.map(u => {
    const c = el("button", "chip" + (open.has(u.uid) ? " open" : ""), u.name);
    c.type = "button";
    c.title = "uid " + u.uid + (open.has(u.uid) ? " (click to hide)" : " (click to open)");
    c.dataset.uid = u.uid;
    c.onclick = () => { open.has(u.uid) ? open.delete(u.uid) : open.add(u.uid); render(); };
    return c;
  }));
}

function renderColumns() {
  const box = $("#columns");
  $("#empty").hidden = open.size > 0;
  for (const col of [...box.querySelectorAll(".chat")]) {
    if (!open.has(Number(col.dataset.uid))) col.remove();
  }
  for (const u of state.users) {
    if (!open.has(u.uid)) continue;
    let col = box.querySelector(`.chat[data-uid="${u.uid}"]`);
    if (!col) { col = newColumn(u); box.append(col); }
    $(".who", col).textContent = u.name;
    const entries = state.chats[u.uid] || [];
    fillMessages(col, u, entries);
    const key = entries.map(e => e.id + e.delivery + (e.noReply || "")).join(",");
    if (col.dataset.stateKey !== key) {
      col.dataset.stateKey = key;
      refreshState(u.uid);
      clockDue = true;
    }
  }
  if (clockDue) { clockDue = false; loadClock(); }
}

let clockDue = false;

function newColumn(u) {
  const col = el("div", "chat");
  col.dataset.uid = u.uid;
  const head = el("div", "chat-head");
  const av = el("div", "avatar", (u.name[0] || "?").toUpperCase());
  av.style.background = color(u.uid);
  const names = el("div");
  names.append(el("div", "who", u.name), el("div", "uid", "uid " + u.uid));
  const close = el("button", "close", "×");
  close.title = "Hide this chat";
  close.onclick = () => { open.delete(u.uid); render(); };
  head.append(av, names, close);
  const msgs = el("div", "messages");
  const form = el("form", "composer");
  const input = el("input");
  input.name = "text"; input.placeholder = "Message as " + u.name + "…"; input.autocomplete = "off";
  const send = el("button", "", "Send");
  send.type = "submit";
  form.append(input, send);
  form.onsubmit = ev => {
    ev.preventDefault();
    const text = input.value.trim();
    if (!text) return;
    input.value = "";
    api("POST", "/emulator/message", { uid: u.uid, text }).catch(e => alert(e.message));
  };
  col.append(head, msgs, statePanel(u), form);
  return col;
}

// The user's state as the bot shows it (its /dev/state, relayed by the
// emulator): fetched when the column opens and after each delivery.
function statePanel(u) {
  const d = el("details", "state-panel");
  d.open = true;
  d.dataset.status = "loading";
  const s = el("summary");
  s.append(el("span", "state-title", "State"), el("span", "state-meta muted", "…"));
  const body = el("div", "state-body");
  const pre = el("pre", "state-json");
  const note = el("p", "state-note");
  const reset = el("button", "state-reset", "Reset state");
  reset.type = "button";
  reset.title = "Delete this user's state in the bot's store";
  reset.onclick = () => resetState(u.uid);
  body.append(pre, note, reset);
  d.append(s, body);
  return d;
}

const stateSeq = new Map(); // uid -> number of the latest state request

async function refreshState(uid, path = "/emulator/bot-state?uid=" + uid, init = { cache: "no-store" }) {
  const seq = (stateSeq.get(uid) || 0) + 1;
  stateSeq.set(uid, seq);
  let st = null, status = 0, text = "";
  try {
    const r = await fetch(path, init);
    status = r.status;
    if (r.ok) st = await r.json(); else text = (await r.text()).trim();
  } catch (e) { text = "the emulator cannot be reached"; }
  if (stateSeq.get(uid) !== seq) return; // a newer request answers instead
  const col = document.querySelector(`.chat[data-uid="${uid}"]`);
  if (col) showState(col, st, status, text);
}

function showState(col, st, status, text) {
  const d = $(".state-panel", col);
  const pre = $(".state-json", d), note = $(".state-note", d), meta = $(".state-meta", d);
  d.classList.toggle("expired", !!(st && st.expired));
  if (!st) {
    if (d.dataset.status === "loading" && status === 404) d.open = false; // folded: the reason is one click away
    d.dataset.status = status === 404 ? "none" : "error";
    meta.textContent = status === 404 ? "not shown (open for why)" : "error";
    pre.hidden = true; $(".state-reset", d).hidden = true;
    note.hidden = false; note.textContent = text || "no answer";
    return;
  }
  if (d.dataset.status !== "ok") d.open = true;
  d.dataset.status = "ok";
  pre.hidden = false; $(".state-reset", d).hidden = false; $(".state-reset", d).disabled = !st.version;
  pre.textContent = JSON.stringify(st.states || {}, null, 2);
  const parts = [];
  if (st.expired) parts.push("expired");
  else if (!st.version || !Object.keys(st.states || {}).length) parts.push("empty");
  if (!st.expired && st.expires) parts.push("expires in " + fmtDur((Date.parse(st.expires) - Date.parse(st.now)) / 1000));
  if (st.pending) parts.push(st.pending + " repl" + (st.pending === 1 ? "y" : "ies") + " pending");
  if (st.version) parts.push("v" + st.version);
  meta.textContent = parts.join(" · ");
  note.hidden = !st.expired;
  note.textContent = st.expired ? "Past its expiry on the bot's clock: the next turn starts from the zero value." : "";
}

function resetState(uid) {
  refreshState(uid, "/emulator/bot-state/reset", {
    method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ uid }),
  });
}

function refreshAllStates() { for (const uid of open) refreshState(uid); }

// fmtDur formats seconds as "2d 3h", "5h 10m", "42s".
function fmtDur(sec) {
  const neg = sec < 0; sec = Math.floor(Math.abs(sec));
  const d = Math.floor(sec / 86400), h = Math.floor(sec % 86400 / 3600), m = Math.floor(sec % 3600 / 60), s = sec % 60;
  const parts = [];
  if (d) parts.push(d + "d");
  if (h) parts.push(h + "h");
  if (m && !d) parts.push(m + "m");
  if (!parts.length) parts.push(s + "s");
  return (neg ? "-" : "") + parts.slice(0, 2).join(" ");
}

// The bot's development clock, in the header when the bot shows one.
async function loadClock(path = "/emulator/bot-clock", init = { cache: "no-store" }) {
  let c = null, text = "";
  try {
    const r = await fetch(path, init);
    if (r.ok) c = await r.json(); else text = (await r.text()).trim();
  } catch (e) { text = "the emulator cannot be reached"; }
  const box = $("#clock");
  if (!c) {
    if (init.method === "POST") alert(text || "The bot's clock did not move.");
    else box.hidden = true;
    return;
  }
  box.hidden = false;
  const b = $("#clock-offset");
  b.dataset.seconds = String(c.offset_seconds);
  b.textContent = "+" + fmtDur(c.offset_seconds);
  b.classList.toggle("ahead", c.offset_seconds > 0);
  b.title = "the bot's now: " + new Date(c.now).toLocaleString() + " (offset " + c.offset + ")";
}

async function moveClock(move) {
  await loadClock("/emulator/bot-clock", {
    method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(move),
  });
  refreshAllStates();
}

// toDuration turns "2d", "1d12h" or "90m" into a Go duration ("48h", "24h12h", "90m").
function toDuration(s) { return s.trim().replace(/(\d+(?:\.\d+)?)d/g, (_, n) => (Number(n) * 24) + "h"); }

function fillMessages(col, u, entries) {
  const box = $(".messages", col);
  const key = entries.map(e => e.id + e.delivery + (e.noReply || "")).join(",");
  if (box.dataset.key === key) return;
  box.dataset.key = key;
  box.replaceChildren(...entries.map(e => message(u, e)));
  box.scrollTop = box.scrollHeight;
}

function message(u, e) {
  const m = el("div", "msg " + e.from);
  m.dataset.id = e.id;
  m.append(el("div", "bubble", e.text || (e.from === "tap" ? e.buttons[0][0].callbackData : "")));
  if (e.media && e.media.length) m.append(el("div", "media", "📎 " + e.media.length + " attachment(s)"));
  if (e.from === "bot" && e.buttons) m.append(keyboard(u, e.buttons));
  if (e.from !== "bot") {
    const meta = el("div", "meta");
    const l = state.log.find(x => x.id === e.logId);
    if (e.delivery === "sending") meta.textContent = "sending…";
    else if (e.delivery === "failed") {
      meta.className = "meta failed";
      meta.textContent = "✗ not delivered: " + (l ? l.reason : "see the log");
    } else meta.textContent = "✓ " + (l ? l.status + " · " + Math.round(l.latencyMs) + " ms" : "delivered");
    m.append(meta);
    // Delivered, but the bot sent nothing back: say so, and why when the bot said.
    if (e.delivery === "ok" && e.noReply) m.append(el("div", "meta noreply", "no reply: " + e.noReply));
  } else {
    m.append(el("div", "meta", new Date(e.at).toLocaleTimeString()));
  }
  return m;
}

// safeURL returns a bot's button URL when it is an absolute http: or https:
// link, else null: a javascript:, data: or other link is shown inert.
function safeURL(u) {
  try {
    const x = new URL(u);
    return x.protocol === "http:" || x.protocol === "https:" ? x.href : null;
  } catch { return null; }
}

function keyboard(u, rows) {
  const kb = el("div", "kb");
  for (const row of rows) {
    const r = el("div", "kb-row");
    for (const b of row) {
      if (b.url) {
        const href = safeURL(b.url);
        const a = el("a", href ? "" : "inert", b.text);
        if (href) { a.href = href; a.target = "_blank"; a.rel = "noopener noreferrer"; }
        else { a.title = "Not opened: the emulator opens only http: and https: links"; a.setAttribute("aria-disabled", "true"); }
        r.append(a);
      } else {
        const btn = el("button", "", b.text);
        btn.type = "button";
        btn.dataset.callback = b.callbackData;
        btn.onclick = () => api("POST", "/emulator/press", { uid: u.uid, data: b.callbackData, text: b.text })
          .catch(e => alert(e.message));
        r.append(btn);
      }
    }
    kb.append(r);
  }
  return kb;
}

function renderLog() {
  const onlyFailed = $("#only-failed").checked;
  const failed = state.log.filter(l => !l.ok && !isPending(l));
  $("#log-count").textContent = state.log.length + " entries";
  $("#fail-count").hidden = failed.length === 0;
  $("#fail-count").textContent = failed.length + " failed";
  const entries = state.log.slice().reverse().filter(l => !onlyFailed || failed.includes(l));
  $("#log-list").replaceChildren(...entries.map(logEntry));
}

// A webhook still waiting for the bot's answer.
function isPending(l) { return !l.ok && !l.status && !l.reason; }

function logEntry(l) {
  const pending = isPending(l);
  const li = el("li", "log-entry" + (pending ? " pending" : l.ok ? "" : " failed"));
  li.dataset.kind = l.kind; li.dataset.ok = l.ok;
  const d = el("details");
  d.open = openLog.has(l.id);
  d.ontoggle = () => { d.open ? openLog.add(l.id) : openLog.delete(l.id); };
  const s = el("summary");
  s.append(
    el("span", "kind " + l.kind, l.kind === "webhook" ? "webhook →" : "← api"),
    el("span", "status", pending ? "…" : l.status ? String(l.status) : "—"),
    el("span", "sum", l.summary),
    el("span", "lat", pending ? "" : fmtMs(l.latencyMs)));
  if (l.reason) s.append(el("span", "reason", l.reason));
  else if (l.outcome && l.outcome.startsWith("no reply")) s.append(el("span", "reason noreply", l.outcome));
  s.title = new Date(l.at).toLocaleTimeString();
  const det = el("div", "detail");
  det.append(el("h4", "", "Request"), el("pre", "", dump(l.request, true)),
    el("h4", "", "Response"), el("pre", "", pending ? "(waiting)" : dump(l.response, false)));
  d.append(s, det);
  li.append(d);
  return li;
}

function fmtMs(ms) { return ms < 10 ? ms.toFixed(1) + " ms" : Math.round(ms) + " ms"; }

function dump(x, isReq) {
  const lines = [];
  if (isReq) lines.push(x.method + " " + x.url);
  else lines.push(x.status ? "HTTP " + x.status : "(no answer)");
  for (const [k, v] of Object.entries(x.header || {})) lines.push(k + ": " + v);
  lines.push("", pretty(x.body));
  return lines.join("\n");
}

function pretty(s) {
  try { return JSON.stringify(JSON.parse(s), null, 2); } catch { return s || ""; }
}

$("#user-form").onsubmit = ev => {
  ev.preventDefault();
  const f = ev.target;
  api("POST", "/emulator/users", { uid: Number(f.uid.value) || 0, name: f.name.value.trim() })
    .then(u => { open.add(u.uid); f.reset(); })
    .catch(e => alert(e.message));
};

$("#settings-form").onsubmit = ev => {
  ev.preventDefault();
  const f = ev.target;
  api("PUT", "/emulator/settings", {
    botUrl: f.botUrl.value.trim(),
    faults: { status: Number(f.status.value), latencyMs: Number(f.latencyMs.value) || 0 },
  }).then(() => { $("#settings-msg").textContent = "Saved."; $("#settings").open = false; loadClock(); refreshAllStates(); })
    .catch(e => { $("#settings-msg").textContent = e.message; });
};

$("#only-failed").onchange = renderLog;

for (const b of document.querySelectorAll("#clock button[data-advance]")) {
  b.onclick = () => moveClock({ advance: b.dataset.advance });
}
$("#clock-form").onsubmit = ev => {
  ev.preventDefault();
  const v = ev.target.advance.value;
  if (!v.trim()) return;
  ev.target.reset();
  moveClock({ advance: toDuration(v) });
};
$("#clock-reset").onclick = () => moveClock({ offset: "0s" });

poll();
pollQueue();
loadClock();
