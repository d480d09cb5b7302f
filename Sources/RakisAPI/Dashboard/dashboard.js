// The node's dashboard: plain JavaScript against the node's own API (/api) and its live events
// (helpers in common.js).
"use strict";

let selected = null;

// MARK: - The node

async function loadStatus() {
  const status = await getJSON("/api/status");
  $("#identity").textContent = `node ${status.node} · network ${status.network}`;
  const facts = $("#node-facts");
  facts.replaceChildren(
    element("dt", {}, "node id"), element("dd", { class: "mono" }, status.node),
    element("dt", {}, "network"), element("dd", {}, status.network),
    element("dt", {}, "serves"), element("dd", {}, status.models.join(", ") || "nothing (follower)"),
    element("dt", {}, "embeds with"), element("dd", {}, status.embeddingModels.join(", ")),
    element("dt", {}, "running since"), element("dd", {}, time(status.startedAt)));
  renderTransports($("#transports tbody"), status.transports);
  const select = $("#ask select[name=models]");
  if (select.options.length === 0) {
    for (const model of status.networkModels) select.append(element("option", { value: model }, model));
    if (select.options.length > 0) select.options[0].selected = true;
  }
}

async function loadPeers() {
  const peers = await getJSON("/api/peers");
  $("#peers tbody").replaceChildren(...peers.map((peer) => element("tr", {},
    element("td", { class: "mono" }, short(peer.node)), element("td", {}, peer.transports.join(", ")),
    element("td", {}, peer.models ? peer.models.join(", ") || "follower" : "?"),
    element("td", { title: "running / queued" }, peer.models ? `${peer.activeJobs} / ${peer.queuedJobs}` : "?"),
    element("td", {}, peer.lastSeen ? time(peer.lastSeen) : "?"))));
}

// MARK: - Requests

async function loadRequests() {
  const requests = await getJSON("/api/requests?limit=30");
  $("#requests").replaceChildren(...requests.map((request) => {
    const item = element("li", { "data-request": request.requestId },
      element("span", { class: `phase ${request.phase}` }, request.phase), element("span", { class: "mono" }, short(request.requestId)),
      ` · ${time(request.createdAt)} · ${request.packets} packets`);
    if (request.requestId === selected) item.classList.add("selected");
    item.addEventListener("click", () => showRequest(request.requestId));
    return item;
  }));
}

async function showRequest(requestId) {
  selected = requestId;
  for (const item of document.querySelectorAll("#requests li")) item.classList.toggle("selected", item.dataset.request === requestId);
  renderStory(await getJSON(`/api/requests/${requestId}`));
}

function renderStory(story) {
  $("#request-id").textContent = short(story.requestId);
  const result = story.result;
  const reached = {
    requested: true,
    committed: story.commits.length > 0,
    quorum: story.quorum !== null,
    revealed: story.reveals.length > 0,
    verified: result !== null || ["verified", "final"].includes(story.phase),
    final: result !== null && result.status === "final",
  };
  for (const step of document.querySelectorAll("#timeline li")) {
    step.classList.toggle("done", reached[step.dataset.step]);
    step.classList.remove("failed");
    if (step.dataset.step === "final") step.textContent = "final";
  }
  if (result && result.status === "failed") {
    const last = $("#timeline li[data-step=final]");
    last.textContent = "failed";
    last.classList.add("failed");
  }
  $("#outcome").textContent = result === null ? `phase: ${story.phase}`
    : result.status === "final" ? `final: “${result.output}” (node ${short(result.node)}, ${result.model}, cluster of ${result.cluster.length} of ${story.request.frame.quorum})`
    : `failed: ${result.reason}`;

  const reveals = new Map(story.reveals.map((reveal) => [reveal.node, reveal]));
  const cluster = new Set(result && result.cluster ? result.cluster : []);
  $("#members tbody").replaceChildren(...story.commits.map((commit) => {
    const reveal = reveals.get(commit.node);
    const member = story.quorum && story.quorum.members.includes(commit.node);
    const verdict = !reveal ? (member ? "awaited" : "not in quorum")
      : !reveal.matchesCommit ? "does not match its commit"
      : cluster.size === 0 ? "matches" : cluster.has(reveal.commitment) ? "in the chosen cluster" : "outside the cluster";
    const good = reveal && reveal.matchesCommit && (cluster.size === 0 || cluster.has(reveal.commitment));
    return element("tr", {}, element("td", { class: "mono" }, short(commit.node)), element("td", {}, commit.model),
      element("td", { class: "mono" }, short(commit.commitment)), element("td", { class: reveal ? (good ? "good" : "bad") : "" }, verdict),
      element("td", {}, reveal ? reveal.output : ""));
  }));
  renderPlot(story);
}

// MARK: - The embedding plot

function bitsOf(hex) {
  const bits = [];
  for (let i = 0; i < hex.length; i += 2) {
    const byte = parseInt(hex.slice(i, i + 2), 16);
    for (let b = 7; b >= 0; b--) bits.push((byte >> b) & 1);
  }
  return bits;
}

function hamming(a, b, count) {
  let differ = 0;
  for (let i = 0; i < count; i++) if (a[i] !== b[i]) differ++;
  return differ / count;
}

// Two coordinates per point from classical multidimensional scaling of the distance matrix
// (double centring, then the two leading eigenvectors by power iteration).
function scale2D(distances) {
  const n = distances.length;
  const squared = distances.map((row) => row.map((d) => d * d));
  const rowMean = squared.map((row) => row.reduce((s, v) => s + v, 0) / n);
  const mean = rowMean.reduce((s, v) => s + v, 0) / n;
  const b = squared.map((row, i) => row.map((v, j) => -0.5 * (v - rowMean[i] - rowMean[j] + mean)));
  const vectors = [];
  for (let k = 0; k < 2; k++) {
    let v = Array.from({ length: n }, (_, i) => Math.cos(i + k));
    let value = 0;
    for (let iteration = 0; iteration < 100; iteration++) {
      const next = b.map((row) => row.reduce((s, x, j) => s + x * v[j], 0));
      for (const [u] of vectors) {
        const dot = next.reduce((s, x, i) => s + x * u[i], 0);
        for (let i = 0; i < n; i++) next[i] -= dot * u[i];
      }
      const norm = Math.hypot(...next) || 1;
      value = norm;
      v = next.map((x) => x / norm);
    }
    vectors.push([v, value]);
  }
  return Array.from({ length: n }, (_, i) => [vectors[0][0][i] * Math.sqrt(vectors[0][1]), vectors[1][0][i] * Math.sqrt(vectors[1][1])]);
}

function renderPlot(story) {
  const svg = $("#plot");
  const ns = "http://www.w3.org/2000/svg";
  const shape = (tag, attributes) => {
    const node = document.createElementNS(ns, tag);
    for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, value);
    svg.append(node);
    return node;
  };
  svg.replaceChildren();
  const reveals = story.reveals;
  if (reveals.length === 0) return;
  const count = story.request.embedding.bits;
  const bits = reveals.map((reveal) => bitsOf(reveal.embedding));
  const distances = bits.map((a) => bits.map((b) => hamming(a, b, count)));
  const result = story.result;
  // The centre: the chosen output, or before a result the reveal closest to all others.
  let centre = result && result.commitment ? reveals.findIndex((r) => r.commitment === result.commitment) : -1;
  if (centre < 0) centre = distances.map((row) => row.reduce((s, d) => s + d, 0)).reduce((best, s, i, all) => (s < all[best] ? i : best), 0);
  const coordinates = scale2D(distances);
  const secDistance = story.request.frame.secDistance;
  const reach = Math.max(secDistance * 1.5, ...distances[centre]) || 1;
  const radius = (d) => d / reach;
  shape("circle", { cx: 0, cy: 0, r: radius(secDistance), fill: "#eef2fb", stroke: "#3155c4", "stroke-width": 0.01, "stroke-dasharray": "0.04 0.03" });
  const cluster = new Set(result && result.cluster ? result.cluster : []);
  // Outputs at distance 0 from the centre share its place: they go on a small ring around it.
  const identical = reveals.map((_, i) => i).filter((i) => i !== centre && distances[centre][i] === 0);
  reveals.forEach((reveal, i) => {
    const d = distances[centre][i];
    const [dx, dy] = [coordinates[i][0] - coordinates[centre][0], coordinates[i][1] - coordinates[centre][1]];
    const slot = identical.indexOf(i);
    const angle = slot >= 0 ? (2 * Math.PI * slot) / identical.length - Math.PI / 2 : Math.atan2(dy, dx);
    const distance = slot >= 0 ? 0.16 : radius(d);
    const x = i === centre ? 0 : distance * Math.cos(angle);
    const y = i === centre ? 0 : distance * Math.sin(angle);
    const inCluster = reveal.matchesCommit && (cluster.size === 0 ? d <= secDistance : cluster.has(reveal.commitment));
    const mark = shape("circle", { cx: x, cy: y, r: i === centre ? 0.06 : 0.045, fill: inCluster ? "#1a7f37" : "#fff",
                                    stroke: inCluster ? "#1a7f37" : "#b42318", "stroke-width": 0.015, "data-node": reveal.node });
    mark.append(Object.assign(document.createElementNS(ns, "title"), { textContent: `${short(reveal.node)}: ${reveal.output}` }));
    if (!inCluster) {
      shape("path", { d: `M${x - 0.035},${y - 0.035}L${x + 0.035},${y + 0.035}M${x - 0.035},${y + 0.035}L${x + 0.035},${y - 0.035}`,
                      stroke: "#b42318", "stroke-width": 0.015 });
    }
    const label = shape("text", { x: x + 0.07, y: y + 0.03, "font-size": 0.09, fill: "#1d2430" });
    label.textContent = `${short(reveal.node)} ${d.toFixed(2)}`;
  });
}

// MARK: - Asking

$("#ask").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = new FormData(event.target);
  const status = $("#ask-status");
  status.className = "";
  status.textContent = "sending…";
  try {
    const answer = await getJSON("/api/requests", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({
        messages: [{ role: "user", content: form.get("prompt") }],
        models: form.getAll("models"),
        maxTokens: Number(form.get("maxTokens")),
        temperature: Number(form.get("temperature")),
        quorum: Number(form.get("quorum")),
        secDistance: Number(form.get("secDistance")),
        secPercentage: Number(form.get("secPercentage")),
      }),
    });
    status.textContent = `sent ${short(answer.requestId)}`;
    await loadRequests();
    await showRequest(answer.requestId);
  } catch (error) {
    status.className = "error";
    status.textContent = error.message;
  }
});

// MARK: - Live events

const refreshSelected = debounced(() => { if (selected) showRequest(selected).catch(() => {}); });
const refreshRequests = debounced(() => loadRequests().catch(() => {}), 300);

const eventHandlers = {
  packet(packet) {
    const log = $("#packets");
    log.prepend(element("li", {}, `${time(packet.at)} ${packet.type} from ${short(packet.sender)} ${packet.transport ? "via " + packet.transport : "(this node)"}` +
      (packet.requestId ? ` for ${short(packet.requestId)}` : "")));
    while (log.children.length > 200) log.lastChild.remove();
    if (packet.requestId === selected) refreshSelected();
    if (packet.type === "request") refreshRequests();
  },
  phase(data) { refreshRequests(); if (data.requestId === selected) refreshSelected(); },
  concluded(data) { refreshRequests(); if (data.requestId === selected) refreshSelected(); },
};

function start() {
  loadStatus().catch((error) => { $("#identity").textContent = `cannot reach the node: ${error.message}`; });
  loadPeers().catch(() => {});
  loadRequests().then(() => {
    const first = document.querySelector("#requests li");
    if (first && !selected) showRequest(first.dataset.request);
  }).catch(() => {});
  followEvents(eventHandlers);
}

setUpLogin(start);

setInterval(() => { loadStatus().catch(() => {}); loadPeers().catch(() => {}); }, 5000);
start();
