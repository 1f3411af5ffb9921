// The emulator dashboard: a client of the control API (the same JSON the tests use).
// No framework and no build step; everything the page shows comes from /__emulator/*.
"use strict";

const BASE = location.pathname.replace(/\/+$/, "");  // "/__emulator"
const POLL_MS = 1000;
const PAGE = 50;
const $ = (selector) => document.querySelector(selector);

const session = {
  get token() { return sessionStorage.getItem("emulator.token") || ""; },
  set token(value) {
    if (value) sessionStorage.setItem("emulator.token", value);
    else sessionStorage.removeItem("emulator.token");
  },
  get namespace() { return sessionStorage.getItem("emulator.namespace") || "default"; },
  set namespace(value) { sessionStorage.setItem("emulator.namespace", value || "default"); },
};

class ControlError extends Error {
  constructor(status, body) {
    super(body && body.error ? body.error + (body.where ? ` (${body.where})` : "") : `HTTP ${status}`);
    this.status = status;
  }
}

function controlUrl(path, query) {
  const url = new URL(BASE + path, location.origin);
  for (const [key, value] of Object.entries(query || {})) {
    if (value !== "" && value !== undefined && value !== null) url.searchParams.set(key, value);
  }
  return url;
}

// The control token and the namespace go in headers, never in a URL (EventSource could
// send neither: the journal's stream is read with fetch for that reason).
function controlHeaders(accept) {
  const headers = { Accept: accept };
  if (session.token) headers.Authorization = `Bearer ${session.token}`;
  if (session.namespace !== "default") headers["X-Emulator-Namespace"] = session.namespace;
  return headers;
}

async function failure(response) {
  if (response.status === 401) {
    $("#token").focus();
    return new ControlError(401, { error: "the control API needs the control token: type it above and press Use" });
  }
  return new ControlError(response.status, await response.json().catch(() => null));
}

async function control(method, path, { query, body } = {}) {
  const headers = controlHeaders("application/json");
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const response = await fetch(controlUrl(path, query),
    { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  if (!response.ok) throw await failure(response);
  return response.json().catch(() => null);
}

// -- small DOM helpers -------------------------------------------------------------------

function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) {
    if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else if (key === "dataset") Object.assign(node.dataset, value);
    else if (value !== undefined && value !== null && value !== false) {
      node.setAttribute(key, value === true ? "" : value);
    }
  }
  for (const child of children.flat(Infinity)) {
    if (child !== undefined && child !== null) node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

function cell(value) {
  if (value === null || value === undefined) return el("td", { class: "muted" }, "–");
  if (typeof value === "object") return el("td", {}, JSON.stringify(value));
  return el("td", {}, String(value));
}

function say(text, kind = "info") {
  const box = $("#message");
  box.textContent = text;
  box.className = kind;
  box.hidden = !text;
  clearTimeout(say.timer);
  if (text && kind !== "error") say.timer = setTimeout(() => { box.hidden = true; }, 4000);
}

async function attempt(work, done) {
  try {
    const result = await work();
    if (done) say(typeof done === "function" ? done(result) : done);
    return result;
  } catch (error) {
    say(error.message, "error");
    return undefined;
  }
}

function showDetail(title, sections) {
  $("#detail-title").textContent = title;
  const body = $("#detail-body");
  body.replaceChildren(...sections.map(([heading, content]) => el("div", { class: "detail-part" },
    el("h3", {}, heading),
    el("pre", {}, typeof content === "string" ? content : JSON.stringify(content, null, 2)))));
  const dialog = $("#detail");
  if (!dialog.open) dialog.showModal();
}

function headerText(headers) {
  if (!headers) return "(none recorded)";
  return Object.entries(headers).map(([name, value]) => `${name}: ${value}`).join("\n");
}

function prettyBody(text) {
  if (text === null || text === undefined) return "(empty)";
  try { return JSON.stringify(JSON.parse(text), null, 2); } catch { return text; }
}

// -- header: namespace, token, health ------------------------------------------------------

async function refreshHealth() {
  const health = await control("GET", "/health");
  // Without the control token (when one is set), health holds counts only: no clock.
  const clock = health.clock ? ` · clock ${health.clock.now}${health.clock.frozen ? " (frozen)" : ""}` : "";
  $("#health").textContent =
    `${health.status} · up ${Math.round(health.uptime_seconds)} s${clock} · ${health.namespaces} namespace(s)`;
  return health;
}

async function refreshNamespaces() {
  const { namespaces } = await control("GET", "/namespaces");
  $("#namespaces").replaceChildren(...namespaces.map((namespace) => el("option", { value: namespace.name })));
}

// -- records --------------------------------------------------------------------------------

const browser = { api: null, kind: null, offset: 0, query: "", columns: [], bucket: null };

async function refreshRecords() {
  const counts = await control("GET", "/records");
  const cards = [];
  const internalCards = [];
  for (const [api, allKinds] of Object.entries(counts.apis)) {
    const entries = Object.entries(allKinds);
    cards.push(kindCard(api, api, entries.filter(([, info]) => !info.internal)));
    const internal = entries.filter(([, info]) => info.internal);
    if (internal.length) internalCards.push(kindCard(api, `${api} · internal`, internal));
  }
  $("#counts").replaceChildren(...cards);
  $("#internal-counts").replaceChildren(...internalCards);
  $("#internal").hidden = !internalCards.length;
  markSelectedKind();
  if (browser.kind) await loadPage();
}

function kindCard(api, title, kinds) {
  const rows = kinds.map(([kind, info]) => {
    const breakdown = Object.entries(info.by || {}).map(([label, values]) => el("div", { class: "breakdown" },
      `by ${label}: `, Object.entries(values).map(([name, count], position) => [position ? " · " : "",
        el("a", { href: "#records", dataset: { by: label, value: name },
          onclick: (event) => {
            event.preventDefault();
            openKind(api, kind, info.columns, { by: label, value: name });
          } },
        `${name} ${count}`)])));
    return el("li", {},
      el("a", { href: "#records", class: "kind", dataset: { api, kind, testid: `count-${api}-${kind}` },
        onclick: (event) => { event.preventDefault(); openKind(api, kind, info.columns); } },
        el("span", { class: "kind-name" }, kind), el("span", { class: "count" }, info.count)),
      breakdown);
  });
  return el("div", { class: "card" }, el("h2", {}, title), el("ul", { class: "kinds" }, rows));
}

function markSelectedKind() {
  for (const link of document.querySelectorAll("a.kind")) {
    link.classList.toggle("selected", link.dataset.api === browser.api && link.dataset.kind === browser.kind);
  }
}

function openKind(api, kind, columns, bucket = null) {
  Object.assign(browser, { api, kind, columns, offset: 0, query: "", bucket });
  markSelectedKind();
  $("#browser-search").value = "";
  $("#browser").hidden = false;
  loadPage().catch((error) => say(error.message, "error"));
}

async function loadPage() {
  const page = await control("GET", `/records/${browser.api}/${browser.kind}`,
    { query: { offset: browser.offset, limit: PAGE, q: browser.query, ...(browser.bucket || {}) } });
  const columns = page.columns.length ? page.columns : ["id"];
  $("#browser-title").textContent = `${browser.api} · ${browser.kind}` +
    (page.by ? ` with ${page.by} ${page.value}` : "") + (page.query ? ` matching “${page.query}”` : "");
  const last = Math.min(page.offset + page.records.length, page.total);
  $("#browser-range").textContent = page.total ? `${page.offset + 1}–${last} of ${page.total}` : "no records";
  $("#browser-prev").disabled = page.offset === 0;
  $("#browser-next").disabled = last >= page.total;
  $("#records-table thead").replaceChildren(el("tr", {}, columns.map((column) => el("th", {}, column))));
  $("#records-table tbody").replaceChildren(...page.records.map((entry) => {
    const row = el("tr", { class: "clickable", dataset: { id: entry.id },
      onclick: () => attempt(() => showRecord(browser.api, browser.kind, entry.id)) },
    columns.map((column) => cell(column === "id" ? entry.id : entry.row[column])));
    return row;
  }));
}

async function showRecord(api, kind, id) {
  const answer = await control("GET", `/records/${api}/${kind}/${encodeURIComponent(id)}`);
  // A kind the API serves: what its own GET answers (per tenant where that matters);
  // the emulator's bookkeeping: its stored fields (secrets hidden by the server).
  const sections = answer.answers
    ? answer.answers.map((reply) => [
      `${reply.operation}${reply.tenant ? ` · tenant ${reply.tenant}` : ""} · ${reply.request} · ${reply.contentType}`,
      typeof reply.body === "string" ? prettyXml(reply.body) : reply.body])
    : [["stored record (emulator bookkeeping)", answer.record]];
  showDetail(`${api} ${kind} ${answer.id}`, sections.length ? sections : [["answers", "(none)"]]);
}

// An XML answer indented one level per element (the API writes it on one line).
function prettyXml(text) {
  let depth = 0;
  return text.replace(/>\s*</g, ">\n<").split("\n").map((line) => {
    if (/^<\//.test(line)) depth = Math.max(depth - 1, 0);
    const indented = "  ".repeat(depth) + line;
    if (/^<[^!?/][^>]*[^/]>$/.test(line) || /^<[^!?/]>$/.test(line)) depth += 1;  // an open tag alone on its line
    return indented;
  }).join("\n");
}

// -- journal --------------------------------------------------------------------------------

function journalQuery() {
  return {
    api: $("#journal-api").value, operation: $("#journal-operation").value.trim(),
    status: $("#journal-status").value.trim(), fault: $("#journal-fault").value,
  };
}

const JOURNAL_ROWS = 200;
// What the table shows (newest first) and how it learns of new entries: the stream
// (GET /requests/stream, server-sent events) while the tab is open and "live" is
// ticked, polling when the stream cannot be had.
const journal = { entries: [], kept: null, stream: null, mode: "off" };

async function refreshJournal() {
  const answer = await control("GET", "/requests", { query: { ...journalQuery(), limit: JOURNAL_ROWS } });
  journal.entries = answer.requests.slice().reverse();
  journal.kept = answer;
  renderJournal();
}

function statusClass(status) {
  if (status === null || status === undefined) return "dropped";
  if (status >= 500) return "server-error";
  if (status >= 400) return "client-error";
  return "";
}

// A JWT's header and payload, base64url-decoded for reading: never verified.
function decodedJwt(token) {
  const parts = token.split(".");
  if (parts.length !== 3) return null;
  try {
    const [header, payload] = parts.slice(0, 2).map((part) => {
      const base64 = part.replace(/-/g, "+").replace(/_/g, "/").padEnd(Math.ceil(part.length / 4) * 4, "=");
      const bytes = Uint8Array.from(atob(base64), (char) => char.charCodeAt(0));
      return JSON.parse(new TextDecoder().decode(bytes));
    });
    return { header, payload };
  } catch {
    return null;
  }
}

function bearerOf(headers) {
  const value = Object.entries(headers || {}).find(([name]) => name.toLowerCase() === "authorization")?.[1];
  const match = /^Bearer\s+(\S+)$/i.exec(value || "");
  return match ? match[1] : null;
}

function requestHeaderText(headers) {
  const token = bearerOf(headers);
  if (!token || !decodedJwt(token)) return headerText(headers);
  const shortened = Object.fromEntries(Object.entries(headers).map(([name, value]) =>
    [name, name.toLowerCase() === "authorization" ? `Bearer ${token.slice(0, 12)}… (${token.length} characters, decoded below)` : value]));
  return headerText(shortened);
}

function showExchange(entry) {
  const token = bearerOf(entry.request_headers);
  const claims = token ? decodedJwt(token) : null;
  showDetail(`#${entry.id} ${entry.method} ${entry.path}`, [
    ["request", `${entry.method} ${entry.path}${entry.query ? "?" + entry.query : ""}\n` +
      `${entry.api} ${entry.operation || "(no operation)"} ${entry.version || ""} · ${entry.timestamp}`],
    ["request headers", requestHeaderText(entry.request_headers)],
    ...(claims ? [["bearer token, decoded (not verified)",
      `${JSON.stringify(claims.header, null, 2)}\n${JSON.stringify(claims.payload, null, 2)}`]] : []),
    ["request body", prettyBody(entry.request_body)],
    ["response", `${entry.status === null ? "connection dropped" : entry.status} in ${entry.duration_ms} ms`],
    ["response headers", headerText(entry.response_headers)],
    ["response body", prettyBody(entry.response_body)],
    ...(entry.fault ? [["fault", entry.fault]] : []),
  ]);
}

function renderJournal() {
  const kept = journal.kept;
  const live = { stream: " · live (stream)", polling: " · live (polling)" }[journal.mode] || "";
  $("#journal-summary").textContent = `${journal.entries.length} shown` +
    (kept ? ` · ${kept.size} kept of ${kept.limit}` + (kept.evicted ? ` · ${kept.evicted} evicted` : "") : "") + live;
  $("#journal-table tbody").replaceChildren(...journal.entries.map((entry) => el("tr", {
    class: ["clickable", entry.fault ? "faulted" : "", statusClass(entry.status)].filter(Boolean).join(" "),
    dataset: { id: entry.id, operation: entry.operation || "" },
    onclick: () => showExchange(entry),
  }, cell(entry.id), cell(entry.timestamp.slice(11, 23)), cell(entry.api), cell(entry.operation), cell(entry.method),
  cell(entry.path + (entry.query ? "?" + entry.query : "")),
  el("td", { class: "status" }, entry.status === null ? "dropped" : String(entry.status)), cell(entry.duration_ms),
  cell(entry.fault ? `${entry.fault.id} (${entry.fault.kind})` : null))));
}

function addToJournal(entry) {
  if (journal.entries.some((shown) => shown.id === entry.id)) return;
  journal.entries.unshift(entry);
  journal.entries.length = Math.min(journal.entries.length, JOURNAL_ROWS);
  if (journal.kept) journal.kept.size = Math.min(journal.kept.size + 1, journal.kept.limit);
  renderJournal();
}

// Server-sent events read from a fetch() body: "id:", "event:" and "data:" lines,
// an event ending at a blank line; comment lines (":") are keep-alives.
async function readEvents(response, onEvent) {
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value;
    let end;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const event = { event: "message", data: [] };
      for (const line of block.split("\n")) {
        if (line.startsWith(":")) continue;
        const colon = line.indexOf(":");
        const field = colon < 0 ? line : line.slice(0, colon);
        const text = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
        if (field === "data") event.data.push(text);
        else if (field === "event") event.event = text;
      }
      if (event.data.length) onEvent(event.event, event.data.join("\n"));
    }
  }
}

function stopJournalStream() {
  if (journal.stream) journal.stream.abort();
  journal.stream = null;
  journal.mode = "off";
}

// Opens the stream first, then reads the journal (entries seen twice are shown once),
// so nothing between the two is missed. A stream that cannot be opened, or ends, falls
// back to polling; the stream is tried again on the next filter change or tab visit.
async function startJournalStream() {
  stopJournalStream();
  if (!$("#journal-live").checked || currentTab() !== "journal") return;
  const controller = new AbortController();
  journal.stream = controller;
  let response;
  try {
    response = await fetch(controlUrl("/requests/stream", journalQuery()),
      { headers: controlHeaders("text/event-stream"), signal: controller.signal });
  } catch {
    response = null;
  }
  if (journal.stream !== controller) return;  // replaced meanwhile
  if (!response || !response.ok || !response.body) {
    journal.stream = null;
    journal.mode = "polling";
    await attempt(refreshJournal);
    return;
  }
  journal.mode = "stream";
  await attempt(refreshJournal);
  try {
    await readEvents(response, (kind, data) => {
      if (kind === "request") addToJournal(JSON.parse(data));
    });
  } catch {
    // aborted (a filter changed, the tab was left) or the connection broke
  }
  if (journal.stream === controller) {  // ended by the server (dropped, shutdown): poll instead
    journal.stream = null;
    journal.mode = "polling";
    renderJournal();
  }
}

async function downloadHar() {
  const response = await fetch(controlUrl("/requests.har", { ...journalQuery(), limit: "" }),
    { headers: controlHeaders("application/json") });
  if (!response.ok) throw await failure(response);
  const link = el("a", { href: URL.createObjectURL(await response.blob()), download: `emulator-${session.namespace}.har` });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 10000);
}

// -- faults ---------------------------------------------------------------------------------

async function refreshFaults() {
  const { faults } = await control("GET", "/faults");
  $("#faults-table tbody").replaceChildren(...faults.map((fault) => el("tr", { dataset: { id: fault.id } },
    cell(fault.id), cell(fault.match), cell(fault.action), cell(fault.probability), cell(fault.times),
    cell(fault.after), el("td", { class: "matched" }, fault.matched), el("td", { class: "fired" }, fault.fired),
    cell(fault.remaining), cell(fault.expires_in_seconds),
    el("td", {}, el("button", { type: "button", onclick: () => attempt(async () => {
      await control("DELETE", `/faults/${encodeURIComponent(fault.id)}`);
      await refreshFaults();
    }, `fault ${fault.id} removed`) }, "Remove")))));
  if (!faults.length) {
    $("#faults-table tbody").append(el("tr", {}, el("td", { colspan: 11, class: "muted" }, "no live faults")));
  }
}

function faultSpec(form) {
  const spec = {};
  for (const field of form.querySelectorAll("[name]")) {
    const text = field.value.trim();
    if (!text) continue;
    let value = text;
    if (field.type === "number") value = Number(text);
    else if ("json" in field.dataset) {
      try { value = JSON.parse(text); } catch { throw new Error(`${field.name} is not valid JSON`); }
    }
    const path = field.name.split(".");
    let target = spec;
    for (const part of path.slice(0, -1)) target = target[part] = target[part] || {};
    target[path[path.length - 1]] = value;
  }
  return spec;
}

// -- state: reset, snapshots, clock, scenarios ----------------------------------------------

let clockFrozen = false;

async function refreshState() {
  const [{ snapshots }, clock, scenarios] = await Promise.all([
    control("GET", "/snapshots"), control("GET", "/clock"), control("GET", "/scenarios")]);
  $("#snapshots-table tbody").replaceChildren(...snapshots.map((snapshot) => el("tr",
    { dataset: { id: snapshot.id } },
    cell(snapshot.id), cell(snapshot.created),
    el("td", { class: "wrap" }, Object.entries(snapshot.counts).map(([api, counts]) =>
      `${api}: ${Object.entries(counts).map(([kind, count]) => `${kind} ${count}`).join(", ")}`).join("; ")),
    el("td", {},
      el("button", { type: "button", onclick: () => attempt(async () => {
        await control("POST", `/snapshots/${encodeURIComponent(snapshot.id)}/restore`);
        await refreshAll();
      }, `snapshot ${snapshot.id} restored`) }, "Restore"), " ",
      el("button", { type: "button", onclick: () => attempt(async () => {
        await control("DELETE", `/snapshots/${encodeURIComponent(snapshot.id)}`);
        await refreshState();
      }, `snapshot ${snapshot.id} deleted`) }, "Delete")))));
  if (!snapshots.length) {
    $("#snapshots-table tbody").append(el("tr", {}, el("td", { colspan: 4, class: "muted" }, "no snapshots")));
  }
  showClock(clock);
  $("#scenarios-loaded").replaceChildren(...scenarios.loaded.map((file) => el("li", {}, file)));
  const select = $("#scenario-name");
  const chosen = select.value;
  select.replaceChildren(...scenarios.available.map((scenario) =>
    el("option", { value: scenario.name }, scenario.name)));
  if (chosen) select.value = chosen;
}

function showClock(clock) {
  clockFrozen = clock.frozen;
  $("#clock-now").textContent = `${clock.now} · ` +
    (clock.frozen ? "frozen" : `running, offset ${clock.offset_seconds} s from the host clock`);
  $("#clock-toggle").textContent = clock.frozen ? "Unfreeze" : "Freeze";
}

async function setClock(body) {
  showClock(await control("POST", "/clock", { body }));
}

// -- endpoints ------------------------------------------------------------------------------

let endpointList = [];

async function refreshEndpoints() {
  endpointList = (await control("GET", "/endpoints")).endpoints;
  const versions = $("#endpoints-version");
  const chosen = versions.value;
  const known = [...new Set(endpointList.map((endpoint) => `${endpoint.api} ${endpoint.version}`))];
  versions.replaceChildren(el("option", { value: "" }, "every version"),
    ...known.map((key) => el("option", { value: key }, key)));
  versions.value = chosen;
  renderEndpoints();
}

function renderEndpoints() {
  const api = $("#endpoints-api").value;
  const version = $("#endpoints-version").value;
  const text = $("#endpoints-filter").value.trim().toLowerCase();
  const unused = $("#endpoints-unused").checked;
  const groups = new Map();
  for (const endpoint of endpointList) {
    const key = `${endpoint.api} ${endpoint.version}`;
    const group = groups.get(key) || { total: 0, unused: 0 };
    group.total += 1;
    if (!endpoint.hits) group.unused += 1;
    groups.set(key, group);
  }
  const ordered = [...groups].sort(([a], [b]) => a.localeCompare(b));
  $("#endpoints-summary").replaceChildren(...ordered.map(([key, group]) => el("div", { class: "card small" },
    el("strong", {}, key), el("div", {}, `${group.total - group.unused} of ${group.total} called`),
    el("div", { class: "muted" }, `${group.unused} never called`))));
  const shown = endpointList.filter((endpoint) => (!api || endpoint.api === api)
    && (!version || `${endpoint.api} ${endpoint.version}` === version) && (!unused || !endpoint.hits)
    && (!text || `${endpoint.code} ${endpoint.path} ${endpoint.summary}`.toLowerCase().includes(text)));
  $("#endpoints-table tbody").replaceChildren(...shown.map((endpoint) => el("tr", {
    class: endpoint.hits ? "" : "unused" },
  cell(endpoint.api), cell(endpoint.version), cell(endpoint.code), cell(endpoint.method), cell(endpoint.path),
  cell(endpoint.summary), cell(endpoint.hits))));
}

// -- login sessions: GET/DELETE /{api}/sessions of the APIs that have a login page -----------

function clockTime(seconds) {
  return new Date(seconds * 1000).toISOString().replace(".000Z", "Z");
}

async function refreshSessions() {
  const health = await refreshHealth();
  const rows = [];
  for (const api of Object.keys(health.apis || {})) {
    let sessions;
    try {
      ({ sessions } = await control("GET", `/${api}/sessions`));
    } catch (error) {
      if (error.status === 404) continue; // an API without a login page
      throw error;
    }
    for (const entry of sessions) {
      rows.push(el("tr", { dataset: { id: entry.id, api } },
        cell(api), cell(entry.username), cell(entry.clients.join(", ")), cell(clockTime(entry.createdAt)),
        cell(clockTime(entry.lastUsedAt)), cell(clockTime(entry.expiresAt)),
        el("td", {}, el("button", { type: "button", onclick: () => attempt(async () => {
          await control("DELETE", `/${api}/sessions/${encodeURIComponent(entry.id)}`);
          await refreshSessions();
        }, `${entry.username}'s session ended`) }, "End"))));
    }
  }
  if (!rows.length) rows.push(el("tr", {}, el("td", { colspan: 7, class: "muted" }, "no login sessions")));
  $("#sessions-table tbody").replaceChildren(...rows);
}

// -- tabs, polling, wiring ------------------------------------------------------------------

const TABS = {
  records: refreshRecords, journal: refreshJournal, faults: refreshFaults, state: refreshState,
  endpoints: refreshEndpoints, sessions: refreshSessions,
};

function currentTab() {
  const name = location.hash.slice(1);
  return name in TABS ? name : "records";
}

async function refreshAll() {
  await attempt(async () => {
    await refreshHealth();
    if (currentTab() === "journal" && $("#journal-live").checked) startJournalStream();
    else {
      stopJournalStream();
      await TABS[currentTab()]();
    }
  });
}

function showTab() {
  const name = currentTab();
  for (const link of document.querySelectorAll("#tabs a")) link.classList.toggle("active", link.dataset.tab === name);
  for (const section of document.querySelectorAll("main > section")) section.hidden = section.id !== `tab-${name}`;
  refreshAll();
}

async function poll() {
  const tab = currentTab();
  if (!document.hidden && !$("#detail").open) {
    try {
      if (tab === "journal" && journal.mode === "polling" && $("#journal-live").checked) await refreshJournal();
      if (tab === "faults") await refreshFaults();
      await refreshHealth();
    } catch (error) {
      if (error.status === 401) say(error.message, "error");
    }
  }
  setTimeout(poll, POLL_MS);
}

function wire() {
  $("#token").value = session.token;
  $("#namespace").value = session.namespace;
  $("#token-form").addEventListener("submit", (event) => {
    event.preventDefault();
    session.token = $("#token").value.trim();
    say(session.token ? "token in use (kept for this browser tab only)" : "no token");
    refreshAll().then(() => attempt(refreshNamespaces));
  });
  $("#namespace").addEventListener("change", () => {
    session.namespace = $("#namespace").value.trim() || "default";
    browser.kind = null;
    $("#browser").hidden = true;
    refreshAll().then(() => attempt(refreshNamespaces));
  });
  window.addEventListener("hashchange", showTab);

  $("#browser-form").addEventListener("submit", (event) => {
    event.preventDefault();
    browser.query = $("#browser-search").value.trim();
    browser.offset = 0;
    attempt(loadPage);
  });
  $("#browser-prev").addEventListener("click", () => {
    browser.offset = Math.max(0, browser.offset - PAGE);
    attempt(loadPage);
  });
  $("#browser-next").addEventListener("click", () => { browser.offset += PAGE; attempt(loadPage); });

  // a filter changed: the stream is reopened with it (or the table re-read when not live)
  const refilter = () => ($("#journal-live").checked ? startJournalStream() : attempt(refreshJournal));
  for (const id of ["#journal-api", "#journal-fault", "#journal-live"]) $(id).addEventListener("change", refilter);
  $("#journal-form").addEventListener("submit", (event) => { event.preventDefault(); refilter(); });
  for (const id of ["#journal-operation", "#journal-status"]) $(id).addEventListener("input", refilter);
  $("#journal-clear").addEventListener("click", () => attempt(async () => {
    await control("DELETE", "/requests");
    await refreshJournal();
  }, "journal cleared"));
  $("#journal-har").addEventListener("click", () => attempt(downloadHar, "HAR downloaded"));

  $("#fault-form").addEventListener("submit", (event) => {
    event.preventDefault();
    attempt(async () => {
      const fault = await control("POST", "/faults", { body: faultSpec(event.target) });
      await refreshFaults();
      return fault;
    }, (fault) => `fault ${fault.id} added`);
  });
  $("#faults-clear").addEventListener("click", () => attempt(async () => {
    const answer = await control("DELETE", "/faults");
    await refreshFaults();
    return answer;
  }, (answer) => `${answer.deleted} fault(s) removed`));

  $("#reset-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const keep = [...event.target.querySelectorAll("[name=keep]:checked")].map((box) => box.value).join(",");
    attempt(async () => {
      const answer = await control("POST", "/reset", { query: { keep } });
      await refreshAll();
      return answer;
    }, (answer) => `namespace ${answer.namespace} reset in ${answer.milliseconds} ms`);
  });
  $("#snapshot-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const id = $("#snapshot-id").value.trim();
    attempt(async () => {
      const snapshot = await control("POST", "/snapshots", { body: id ? { id } : {} });
      $("#snapshot-id").value = "";
      await refreshState();
      return snapshot;
    }, (snapshot) => `snapshot ${snapshot.id} taken`);
  });
  $("#clock-set").addEventListener("submit", (event) => {
    event.preventDefault();
    const now = $("#clock-value").value.trim();
    attempt(() => setClock({ ...(now ? { now } : {}), freeze: $("#clock-freeze").checked }), "clock set");
  });
  $("#clock-advance").addEventListener("submit", (event) => {
    event.preventDefault();
    attempt(() => setClock({ advance_seconds: Number($("#clock-seconds").value || 0) }), "clock advanced");
  });
  for (const button of document.querySelectorAll("[data-advance]")) {
    const seconds = Number(button.dataset.advance);
    button.addEventListener("click", () => attempt(() => setClock({ advance_seconds: seconds }), "clock advanced"));
  }
  $("#clock-toggle").addEventListener("click", () => attempt(() => setClock({ freeze: !clockFrozen })));
  $("#scenario-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const name = $("#scenario-name").value;
    if (!name) { say("no built-in scenario to load", "error"); return; }
    attempt(async () => {
      const answer = await control("POST", "/scenarios", {
        body: { name }, query: { replace: $("#scenario-replace").checked ? "true" : "" } });
      await refreshState();
      return answer;
    }, (answer) => `loaded ${name} in ${answer.milliseconds} ms`);
  });

  for (const id of ["#endpoints-api", "#endpoints-version", "#endpoints-unused"]) {
    $(id).addEventListener("change", renderEndpoints);
  }
  $("#endpoints-filter").addEventListener("input", renderEndpoints);
  $("#endpoints-form").addEventListener("submit", (event) => event.preventDefault());
}

async function start() {
  wire();
  const health = await attempt(refreshHealth);
  const apis = health ? Object.keys(health.apis) : ["customerid", "dfs"];
  for (const selector of ["#journal-api", "#endpoints-api", "[name='match.api']"]) {
    $(selector).append(...apis.map((api) => el("option", { value: api }, api)));
  }
  attempt(refreshNamespaces);
  showTab();
  setTimeout(poll, POLL_MS);
}

start();
