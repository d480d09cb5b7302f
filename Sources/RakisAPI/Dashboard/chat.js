// The transport chat page: messages with the transports that brought them (GET /api/chat, live
// `chat` events), a send box (POST /api/chat), and every transport's delivery figures
// (GET /api/transports). Helpers in common.js.
"use strict";

const maxBytes = 500;
const maxShown = 200;
const encoder = new TextEncoder();

// One message: who and when, the text, then a chip per transport in order of arrival.
function messageItem(entry) {
  const deliveries = entry.deliveries.map((d, index) => element("li",
    { class: index === 0 ? "delivery first" : "delivery", "data-transport": d.transport, "data-delay": d.delayMs,
      title: `received ${time(d.receivedAt)}` },
    `${d.transport} `, element("b", {}, `${d.delayMs} ms`)));
  const note = entry.deliveries.length > 0 ? [] : [element("li", { class: "delivery pending" }, entry.own ? "sent" : "…")];
  return element("li", { class: entry.own ? "message own" : "message", "data-packet": entry.packetId, "data-sender": entry.sender },
    element("div", { class: "meta" },
      element("span", { class: "sender mono", title: entry.sender }, entry.own ? "this node" : short(entry.sender)),
      element("time", {}, time(entry.sentAt))),
    element("div", { class: "text" }, entry.text),
    element("ul", { class: "deliveries", title: entry.own ? "copies that came back" : "transports that brought it" }, ...deliveries, ...note));
}

// Puts a message in its place: replaces its item if shown (unless this copy knows fewer
// deliveries: the history and the live events can cross), else appends it.
function show(entry) {
  const list = $("#messages");
  const item = messageItem(entry);
  item.dataset.deliveries = entry.deliveries.length;
  const shown = list.querySelector(`li.message[data-packet="${entry.packetId}"]`);
  if (shown && Number(shown.dataset.deliveries) > entry.deliveries.length) return;
  const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 40;
  if (shown) shown.replaceWith(item); else list.append(item);
  while (list.children.length > maxShown) list.firstChild.remove();
  if (atBottom || entry.own) list.scrollTop = list.scrollHeight;
}

async function loadIdentity() {
  const status = await getJSON("/api/status");
  $("#identity").textContent = `node ${status.node} · network ${status.network}`;
}

async function loadTransports() {
  const report = await getJSON("/api/transports");
  renderTransports($("#transports tbody"), report.transports);
  const w = report.window;
  $("#window").textContent = `Over the last ${w.packets} packets received (at most ${w.maxPackets}, none older than ` +
    `${w.maxAgeMs / 60000} min); loss counts the ${w.settled} that arrived ${w.graceMs / 1000} s ago or more, on the ` +
    "transports that have brought their sender's packets.";
}

async function loadMessages() {
  for (const entry of await getJSON("/api/chat?limit=100")) show(entry);
}

function countBytes() {
  const bytes = encoder.encode($("#chat-form textarea").value).length;
  const counter = $("#chat-bytes");
  counter.textContent = `${bytes} / ${maxBytes} bytes`;
  counter.className = bytes > maxBytes ? "bad" : "";
}

async function send() {
  const textarea = $("#chat-form textarea");
  const status = $("#chat-status");
  status.className = "";
  status.textContent = "sending…";
  try {
    const entry = await getJSON("/api/chat", {
      method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ text: textarea.value }),
    });
    show(entry);
    textarea.value = "";
    countBytes();
    status.textContent = `sent ${short(entry.packetId)}`;
  } catch (error) {
    status.className = "error";
    status.textContent = error.message;
  }
}

$("#chat-form").addEventListener("submit", (event) => { event.preventDefault(); send(); });
$("#chat-form textarea").addEventListener("keydown", (event) => {
  if (event.key === "Enter" && !event.shiftKey) { event.preventDefault(); send(); }
});
$("#chat-form textarea").addEventListener("input", countBytes);

const refreshTransports = debounced(() => loadTransports().catch(() => {}), 500);

const eventHandlers = {
  chat(entry) { show(entry); refreshTransports(); },
};

function start() {
  loadIdentity().catch((error) => { $("#identity").textContent = `cannot reach the node: ${error.message}`; });
  loadMessages().catch(() => {});
  loadTransports().catch(() => {});
  followEvents(eventHandlers);
}

setUpLogin(start);
setInterval(() => loadTransports().catch(() => {}), 2000);
start();
