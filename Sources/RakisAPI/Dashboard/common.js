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

async function getJSON(url, options) {
  const response = await fetch(url, options);
  const body = await response.json();
  if (!response.ok) throw new Error(body.error ? body.error.message : response.statusText);
  return body;
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
