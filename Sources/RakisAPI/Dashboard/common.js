// What the dashboard's pages share: DOM and fetch helpers, and the transports table.
"use strict";

const $ = (selector) => document.querySelector(selector);
const short = (id) => (id ? id.slice(0, 8) : "?");
const time = (millis) => new Date(millis).toLocaleTimeString();

function element(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) {
    if (key === "class") node.className = value; else node.setAttribute(key, value);
  }
  for (const child of children) node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  return node;
}

// MARK: - Access

// The node may need an API key (`rakis keys api create`): a page asks for one when the API
// answers 401 and sends it with every call. Kept in sessionStorage, so it ends with the tab.
const keyName = "rakis.apiKey";

function withKey(options = {}) {
  const key = sessionStorage.getItem(keyName);
  return key ? { ...options, headers: { ...(options.headers || {}), Authorization: `Bearer ${key}` } } : options;
}

function askForKey(reason) {
  $("#login-reason").textContent = reason;
  const dialog = $("#login");
  if (!dialog.open) dialog.showModal();
}

// Wires the page's login dialog and log-out button; `start` (re)loads the page's data.
function setUpLogin(start) {
  $("#login-form").addEventListener("submit", (event) => {
    event.preventDefault();
    sessionStorage.setItem(keyName, new FormData(event.target).get("key").trim());
    $("#login").close();
    $("#logout").hidden = false;
    start();
  });
  $("#logout").addEventListener("click", () => { sessionStorage.removeItem(keyName); location.reload(); });
  $("#logout").hidden = sessionStorage.getItem(keyName) === null;
}

async function getJSON(url, options) {
  const response = await fetch(url, withKey(options));
  const body = await response.json();
  const message = body.error ? body.error.message : response.statusText;
  if (response.status === 401) askForKey(message);
  if (!response.ok) throw new Error(message);
  return body;
}

// The live events (/api/events), read with fetch rather than EventSource, which cannot send the
// API key; like EventSource, it reconnects a few seconds after the stream breaks. `handlers`
// maps an event's name to what to do with its data. A new call replaces the stream before it.
let listening = null;

async function followEvents(handlers) {
  if (listening) listening.abort();
  const stream = new AbortController();
  listening = stream;
  try {
    const response = await fetch("/api/events", withKey({ signal: stream.signal, headers: { Accept: "text/event-stream" } }));
    if (response.status === 401) return askForKey((await response.json()).error.message);
    if (!response.ok) throw new Error(response.statusText);
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += value;
      for (let end = buffer.indexOf("\n\n"); end >= 0; end = buffer.indexOf("\n\n")) {
        const lines = buffer.slice(0, end).split("\n");
        buffer = buffer.slice(end + 2);
        const name = (lines.find((line) => line.startsWith("event: ")) || "").slice(7);
        const data = lines.filter((line) => line.startsWith("data: ")).map((line) => line.slice(6)).join("\n");
        if (handlers[name] && data) handlers[name](JSON.parse(data));
      }
    }
  } catch (error) {
    if (stream.signal.aborted) return;
  }
  if (!stream.signal.aborted) setTimeout(() => followEvents(handlers), 3000);
}

// Calls `action` at most once per `wait` milliseconds, the last call winning.
function debounced(action, wait = 150) {
  let timer = null;
  return (...args) => { clearTimeout(timer); timer = setTimeout(() => action(...args), wait); };
}

// The transports table: each transport's link and counters, then how it delivered the recent
// traffic (packets it brought first, delay percentiles from the sender's clock, and loss: packets
// another transport brought that this one brought late or never).
function renderTransports(tbody, transports) {
  tbody.replaceChildren(...transports.map((t) => {
    const d = t.delivery;
    const latency = d && d.latencyMs ? `${d.latencyMs.p50} / ${d.latencyMs.p90} / ${d.latencyMs.p99}` : "–";
    const loss = d && d.loss !== null ? `${(100 * d.loss).toFixed(1)} % (${d.lost} of ${d.expected})` : "–";
    return element("tr", { "data-transport": t.name },
      element("td", {}, t.name), element("td", { class: t.connected ? "good" : "bad" }, t.connected ? "yes" : "no"),
      element("td", {}, t.connections), element("td", {}, `${t.packetsSent} / ${t.packetsReceived}`),
      element("td", { class: "first" }, d ? `${d.firsts} of ${d.delivered}` : "–"),
      element("td", { class: "latency" }, latency),
      element("td", { class: d && d.lost > 0 ? "loss bad" : "loss" }, loss));
  }));
}
