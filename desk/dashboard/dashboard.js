// The CX dashboard: draws what /dashboard/api/report returns, every 10 seconds, and replays a
// draft mandate through /dashboard/api/simulate. Text is always set with textContent (no HTML);
// money is shown as the desk formats it from minor units, never computed here.
(() => {
  const REFRESH_MS = 10_000;
  const $ = (id) => document.getElementById(id);
  const periodEl = $("period");
  const draftEl = $("draft");
  let mandateText = null;

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  const label = (key) => String(key).replace(/_/g, " ");
  const count = (n, noun) => `${n} ${noun}${n === 1 ? "" : "s"}`;
  const score = (v) => (v == null ? "–" : v.toFixed(2));
  const signed = (v, digits = 2) => (v == null ? "–" : (v >= 0 ? "+" : "−") + Math.abs(v).toFixed(digits));
  const mean = (v, digits = 1) => (v == null ? "–" : v.toFixed(digits));
  const percent = (v) => (v == null ? "–" : `${(v * 100).toFixed(1)}%`);
  const points = (v) => (v == null ? "–" : `${v >= 0 ? "+" : "−"}${Math.abs(v * 100).toFixed(1)} pt`);
  const costs = (list) => (list && list.length ? list.map((c) => c.text).join(", ") : "nothing");
  // A difference in money, e.g. "+€7.50" or "−€5": the desk's text with a sign in front.
  const signedMoney = (m) => (m.minor < 0 ? "−" + m.text.replace("-", "") : "+" + m.text);
  const time = (iso) => new Date(iso).toLocaleString([], { dateStyle: "short", timeStyle: "short" });

  // --- talking to the desk -----------------------------------------------------------------

  async function api(path, options = {}) {
    const token = sessionStorage.getItem("herstel-dashboard-token");
    const headers = { ...(options.headers || {}) };
    if (token) headers.Authorization = `Bearer ${token}`;
    const response = await fetch(path, { ...options, headers });
    const body = await response.json().catch(() => ({ error: `The desk answered ${response.status}.` }));
    if (response.status === 401) {
      $("token-form").hidden = false;
      throw new Error(body.error || "A token is required.");
    }
    return { ok: response.ok, status: response.status, body };
  }

  // --- the report ----------------------------------------------------------------------------

  function tile(name, value, note) {
    const node = el("div", "tile");
    node.dataset.score = name;
    node.append(el("div", "tile-name", name), el("div", "tile-value", value), el("div", "tile-note", note));
    return node;
  }

  function renderScores(report) {
    const m = report.recovery_moments.overall;
    const j = report.journeys;
    const unmeasured = (v, text) => (v == null ? "not measured yet" : text);
    $("scores").replaceChildren(
      tile("Journey score", score(j.score), count(j.journeys, "journey")),
      tile("Effectiveness", score(m.effectiveness), unmeasured(m.effectiveness, "it works: fixed, true facts, no re-contact")),
      tile("Ease", score(m.ease), unmeasured(m.ease, "little effort: CES, turns, waiting")),
      tile("Emotion", score(m.emotion), unmeasured(m.emotion, "feels seen: CSAT, NPS, tone")),
      tile("Recovery score", score(m.recovery_score), count(m.moments, "recovery moment")),
      tile("Recovery uplift", signed(m.uplift), unmeasured(m.uplift, "journey after recovery minus the failure")),
      tile("CSAT", mean(m.csat), unmeasured(m.csat, "mean grade, 1-10")),
      tile("CES", mean(m.ces), unmeasured(m.ces, "mean ease, 1-7 (7 very easy)")),
      tile("NPS", m.nps == null ? "–" : signed(m.nps, 0), count(m.nps_answers, "answer")),
    );
  }

  function renderTruths(report) {
    const t = report.thresholds;
    $("truths-rule").textContent =
      `Per touchpoint type: satisfaction is high from ${t.satisfied}; impact is the NPS of journeys ` +
      `where it satisfied minus where it did not, high from ${t.high_impact} points, known once each ` +
      `side has ${t.min_answers} NPS answers.`;
    for (const box of document.querySelectorAll(".quadrant")) {
      const list = box.querySelector("ul");
      const types = report.quadrants[box.dataset.quadrant] || [];
      list.replaceChildren(
        ...(types.length
          ? types.map((x) => el("li", "", `${label(x.type)}: satisfaction ${score(x.satisfaction)}, impact ${signed(x.impact, 0)} NPS points (${count(x.touchpoints, "touchpoint")} scored)`))
          : [el("li", "none", "no touchpoint type here")]),
      );
    }
    const unknown = report.quadrants.unknown || [];
    $("unplaced").textContent = unknown.length
      ? "Not placed yet (too few NPS answers to tell the impact): " +
        unknown.map((x) => `${label(x.type)} (satisfaction ${score(x.satisfaction)}; NPS answers: ${x.answers_satisfied} where it satisfied, ${x.answers_unsatisfied} where it did not)`).join("; ")
      : "";
  }

  function row(cells, header = false) {
    const tr = el("tr");
    cells.forEach((cell, i) => tr.appendChild(el(header || i === 0 ? "th" : "td", "", cell)));
    return tr;
  }

  const LANGUAGES = { nl: "Dutch", en: "English" };

  function renderGroups(report) {
    const head = ["", "moments", "effectiveness", "ease", "emotion", "score", "uplift", "CSAT", "CES", "NPS", "cost"];
    const line = (name, g) => [name, String(g.moments), score(g.effectiveness), score(g.ease), score(g.emotion),
      score(g.recovery_score), signed(g.uplift), mean(g.csat), mean(g.ces), g.nps == null ? "–" : signed(g.nps, 0), costs(g.cost)];
    const m = report.recovery_moments;
    const rows = [row(head, true), row(line("all", m.overall))];
    for (const [k, g] of Object.entries(m.by_outcome || {})) rows.push(row(line(`came to: ${label(k)}`, g)));
    for (const [k, g] of Object.entries(m.by_complaint)) rows.push(row(line(label(k), g)));
    for (const [k, g] of Object.entries(m.by_level)) rows.push(row(line(`decided by ${k}`, g)));
    for (const [k, g] of Object.entries(m.by_channel || {})) rows.push(row(line(`on ${label(k)}`, g)));
    for (const [k, g] of Object.entries(m.by_language || {})) rows.push(row(line(`in ${LANGUAGES[k] || k}`, g)));
    for (const [k, g] of Object.entries(m.by_mandate_version || {})) rows.push(row(line(`mandate ${k}`, g)));
    $("groups").replaceChildren(...rows);
  }

  function renderMoney(report) {
    $("cost").textContent = `Gestures given in this period: ${costs(report.recovery_moments.overall.cost)}.`;
    const lines = report.budgets.lines;
    const rows = [row(["budget", "spent", "limit", "remaining", "used"], true)];
    for (const b of lines) {
      const tr = row([`${b.period === "day" ? "today" : "this month"}: ${label(b.kind)}`, b.spent.text, b.limit.text, b.remaining.text, ""]);
      const used = el("meter");
      used.min = 0; used.max = 1; used.high = 0.8; used.value = Math.min(b.used ?? 0, 1);
      tr.lastChild.append(used, el("span", "", ` ${percent(b.used)}`));
      rows.push(tr);
    }
    $("budgets").replaceChildren(...(lines.length ? rows : [row(["The mandate sets no day or month budgets."])]));
    const over = report.budgets.over_budget;
    $("over-budget").textContent = over
      ? `Once a budget is spent only a ${over} may still give.`
      : "Once a budget is spent nobody may give from it.";
  }

  function renderRecent(report) {
    const rows = [row(["when", "case", "customer", "complaint", "channel", "language", "decided by", "gestures", "score", "uplift", "CSAT", "CES", "NPS"], true)];
    for (const m of report.recent) {
      const gestures = m.gestures.length ? m.gestures.map((g) => `${label(g.kind)} ${g.amount.text}`).join(", ") : "words only";
      const tr = row([time(m.occurred_at), m.case_id, m.customer_id, label(m.complaint_type), m.channel, m.language,
        m.decided_by, gestures, score(m.recovery_score), signed(m.uplift), m.csat ?? "–", m.ces ?? "–", m.nps ?? "–"]);
      tr.dataset.caseId = m.case_id;
      rows.push(tr);
    }
    $("recent").replaceChildren(...rows);
  }

  function render(report) {
    $("mandate-in-force").textContent = `Mandate in force: ${report.mandate.name} (${report.mandate.version})`;
    $("empty").hidden = !report.empty;
    $("report").hidden = report.empty;
    if (report.empty) return;
    renderScores(report);
    renderTruths(report);
    renderGroups(report);
    renderMoney(report);
    renderRecent(report);
  }

  async function refresh() {
    try {
      const { ok, body } = await api(`/dashboard/api/report?since=${periodEl.value}`);
      if (!ok) throw new Error(body.error || "The desk refused the report.");
      render(body);
      $("problem").textContent = body.outbox ? `${count(body.outbox, "moment")} waiting in the outbox for the journey store.` : "";
      $("updated").textContent = `Updated ${new Date().toLocaleTimeString()}`;
    } catch (error) {
      $("problem").textContent = `Could not refresh: ${error.message}. Retrying in 10 seconds.`;
    }
  }

  // --- the draft and its replay ----------------------------------------------------------

  async function loadMandate() {
    try {
      const { ok, body } = await api("/dashboard/api/mandate");
      if (!ok) throw new Error(body.error);
      mandateText = body.text;
      if (!draftEl.value) draftEl.value = mandateText || "";
      if (body.text == null) showReplayProblem(`The policy file ${body.file} cannot be read.`);
      else if (body.file_version !== body.version) {
        showReplayProblem(`${body.file} changed since the desk started: the mandate in force is still version ${body.version}.`);
      }
    } catch (error) {
      showReplayProblem(`Could not load the mandate: ${error.message}`);
    }
  }

  function showReplayProblem(message, errors = [], warnings = []) {
    const box = el("div", "problem");
    box.setAttribute("role", "alert");
    box.appendChild(el("p", "", message));
    if (errors.length) {
      const list = el("ul", "errors");
      for (const e of errors) list.appendChild(el("li", "", e));
      box.appendChild(list);
    }
    if (warnings.length) box.appendChild(warningList(warnings));
    $("replay-result").replaceChildren(box);
  }

  function warningList(warnings) {
    const list = el("ul", "warnings");
    for (const w of warnings) list.appendChild(el("li", "", w));
    return list;
  }

  function comparisonTable(result, path) {
    const pick = (part) => path.reduce((p, k) => p[k], part);
    const [cur, dra, dif, rec] = ["current", "draft", "difference", "recorded"].map((k) => pick(result[k]));
    const table = el("table", "comparison");
    table.appendChild(row(["", "in force", "draft", "difference", "recorded"], true));
    const cost = row(["cost", cur.cost.text, dra.cost.text, signedMoney(dif.cost), rec.cost.text]);
    cost.dataset.row = "cost";
    table.appendChild(cost);
    table.appendChild(row(["settled by the bot", percent(cur.bot_share), percent(dra.bot_share), points(dif.bot_share), percent(rec.bot_share)]));
    table.appendChild(row(["escalated", percent(cur.escalated_share), percent(dra.escalated_share), points(dif.escalated_share), ""]));
    for (const [kind, change] of Object.entries(dif.gestures)) {
      table.appendChild(row([`${label(kind)} (count)`, String(cur.gestures[kind] || 0), String(dra.gestures[kind] || 0), `${change >= 0 ? "+" : "−"}${Math.abs(change)}`, ""]));
    }
    return table;
  }

  function renderComparison(result) {
    const box = el("div", "result");
    const d = result.draft.policy;
    const c = result.current.policy;
    box.appendChild(el("p", "summary",
      `Replayed ${count(result.cases, "recorded moment")} ${result.since ? `since ${time(result.since)}` : "(everything recorded)"}: ` +
      `in force ${c.name} (${c.version}) against draft ${d.name} (${d.version}).`));
    if (result.skipped.moments) {
      box.appendChild(el("p", "hint", `${count(result.skipped.moments, "moment")} could not be replayed (${result.skipped.first_reason}).`));
    }
    if (!result.cases) {
      box.appendChild(el("p", "", "There are no recorded moments to replay in this period."));
      $("replay-result").replaceChildren(box);
      return;
    }
    if (result.warnings.length) {
      box.appendChild(el("p", "", "The check passed with warnings:"));
      box.appendChild(warningList(result.warnings));
    }
    box.appendChild(el("h3", "", `Overall (${count(result.cases, "case")})`));
    const overall = comparisonTable(result, ["overall"]);
    overall.id = "comparison-overall";
    box.appendChild(overall);
    for (const kind of Object.keys(result.current.by_complaint)) {
      if (!result.current.by_complaint[kind].cases) continue;
      box.appendChild(el("h3", "", `${label(kind)} (${count(result.current.by_complaint[kind].cases, "case")})`));
      box.appendChild(comparisonTable(result, ["by_complaint", kind]));
    }
    $("replay-result").replaceChildren(box);
  }

  async function replay(event) {
    event.preventDefault();
    const button = $("replay-button");
    button.disabled = true;
    $("replay-result").replaceChildren(el("p", "", "Replaying…"));
    try {
      const { ok, body } = await api(`/dashboard/api/simulate?since=${periodEl.value}`, {
        method: "POST",
        headers: { "Content-Type": "application/yaml" },
        body: draftEl.value,
      });
      if (ok) renderComparison(body);
      else showReplayProblem(body.error || "The replay failed.", body.errors || [], body.warnings || []);
    } catch (error) {
      showReplayProblem(`The replay failed: ${error.message}`);
    } finally {
      button.disabled = false;
    }
  }

  // --- start -----------------------------------------------------------------------------------

  $("token-form").addEventListener("submit", (event) => {
    event.preventDefault();
    sessionStorage.setItem("herstel-dashboard-token", $("token").value);
    $("token-form").hidden = true;
    refresh();
    loadMandate();
  });
  $("replay-form").addEventListener("submit", replay);
  $("reset-draft").addEventListener("click", () => {
    if (mandateText != null) draftEl.value = mandateText;
  });
  periodEl.addEventListener("change", refresh);
  refresh();
  loadMandate();
  setInterval(refresh, REFRESH_MS);
})();
