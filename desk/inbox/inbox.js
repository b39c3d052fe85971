// The local agent inbox: renders the Block Kit cards the desk builds, and sends the
// same actions a Slack click would. Text is always set with textContent (no HTML).
(() => {
  const casesEl = document.getElementById("cases");
  const agentEl = document.getElementById("agent");
  const noteEl = document.getElementById("note");
  const drafts = new Map(); // case id -> message being written, kept across refreshes
  const reasons = new Map(); // case id -> reason for closing without a gesture, being written
  const names = new Map(); // agent user id -> name, for <@U123> mentions

  // Slack mrkdwn as plain text. Emphasis marks only count in pairs at word edges, as in
  // Slack: a case id like 100303:missing_item:… keeps its underscores.
  const mrkdwn = (text) =>
    (text || "")
      .replace(/<@([^>|]+)(\|[^>]*)?>/g, (_, id) => names.get(id) || `@${id}`)
      .replace(/<!date\^\d+\^[^|]*\|([^>]*)>/g, "$1")
      .replace(/<([^>|]+)\|([^>]*)>/g, "$2")
      .replace(/`([^`\n]+)`/g, "$1")
      .replace(/(^|\W)([*_~])(?!\s)([^\n]+?)\2(?!\w)/g, "$1$3")
      .replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  async function act(caseId, actionId, extra = {}) {
    const response = await fetch(`/inbox/api/cases/${encodeURIComponent(caseId)}/act`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ action_id: actionId, user_id: agentEl.value, ...extra }),
    });
    // An error page (the inbox switched off, a proxy) is not JSON: show its status instead.
    const result = await response.json().catch(() => ({ error: `The desk answered ${response.status}.` }));
    noteEl.textContent = result.note || result.error || "";
    await refresh();
  }

  function control(button, item) {
    const node = el("button", button.style || "", button.text.text);
    node.type = "button";
    node.addEventListener("click", () => {
      if (button.action_id === "herstel_write") return toggle(drafts, item);
      if (button.action_id === "herstel_close") return toggle(reasons, item);
      // Slack asks before a button with a confirm dialog (a grant is carried out at once).
      if (button.confirm && !window.confirm(`${button.confirm.title.text}\n${button.confirm.text.text}`)) return;
      const [caseId, offerKey] = button.value.split("|");
      act(caseId, button.action_id, offerKey ? { offer_key: offerKey } : {});
    });
    return node;
  }

  function renderBlock(block, item) {
    switch (block.type) {
      case "header":
        return el("h2", "", block.text.text);
      case "section": {
        const node = el("div", "section", mrkdwn(block.text?.text));
        if (block.fields?.length) {
          const fields = el("div", "fields");
          for (const field of block.fields) fields.appendChild(el("div", "", mrkdwn(field.text)));
          node.appendChild(fields);
        }
        // A suggestion's grant button is the section's accessory (one per section in Slack).
        if (block.accessory?.type === "button") {
          const row = el("div", "actions");
          row.appendChild(control(block.accessory, item));
          node.appendChild(row);
        }
        return node;
      }
      case "context":
        return el("div", "context", block.elements.map((e) => mrkdwn(e.text)).join("  ·  "));
      case "divider":
        return el("hr");
      case "actions": {
        const row = el("div", "actions");
        for (const button of block.elements.filter((e) => e.type === "button")) {
          row.appendChild(control(button, item));
        }
        return row;
      }
      default:
        return el("div");
    }
  }

  function toggle(open, item) {
    if (open.has(item.case_id)) open.delete(item.case_id);
    else open.set(item.case_id, "");
    refresh();
  }

  // A text for the case: a message to the customer, or why it is closed without a gesture.
  function textForm(item, kept, question, submit, actionId) {
    const form = el("form", "writer");
    const label = el("label", "", question);
    const area = el("textarea");
    area.value = kept.get(item.case_id) || "";
    area.addEventListener("input", () => kept.set(item.case_id, area.value));
    label.appendChild(area);
    const send = el("button", "primary", submit);
    send.type = "submit";
    form.append(label, send);
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      kept.delete(item.case_id);
      act(item.case_id, actionId, { text: area.value });
    });
    return form;
  }

  function writer(item) {
    const language = item.language === "nl" ? "Dutch" : "English";
    return textForm(item, drafts, `Message to the customer (they read ${language}):`, "Send to customer", "herstel_write");
  }

  function closer(item) {
    return textForm(item, reasons, "Why is the case closed without a gesture? (for the team)", "Close the case", "herstel_close");
  }

  function render(items) {
    if (document.activeElement?.tagName === "TEXTAREA") return; // don't disturb typing
    casesEl.replaceChildren();
    if (!items.length) casesEl.appendChild(el("p", "empty", "No cases yet."));
    for (const item of items) {
      const card = el("article", "case");
      card.dataset.caseId = item.case_id;
      card.dataset.status = item.status;
      if (item.note) card.appendChild(el("p", "waiting", item.note)); // e.g. not in Slack yet
      for (const block of item.card.blocks) card.appendChild(renderBlock(block, item));
      if (item.thread.length) {
        const thread = el("div", "thread");
        for (const m of item.thread) thread.appendChild(el("p", "", `${m.speaker}: ${m.text}`));
        card.appendChild(thread);
      }
      if (drafts.has(item.case_id) && item.status !== "resolved") card.appendChild(writer(item));
      if (reasons.has(item.case_id) && item.status !== "resolved") card.appendChild(closer(item));
      casesEl.appendChild(card);
    }
  }

  async function refresh() {
    try {
      const response = await fetch("/inbox/api/cases");
      if (response.ok) render(await response.json());
    } catch (error) {
      noteEl.textContent = "The desk is not reachable; retrying.";
    }
  }

  (async () => {
    const agents = await (await fetch("/inbox/api/agents")).json();
    for (const agent of agents) {
      const option = el("option", "", `${agent.name} (${agent.level})`);
      option.value = agent.user_id;
      names.set(agent.user_id, agent.name);
      agentEl.appendChild(option);
    }
    await refresh();
    setInterval(refresh, 3000);
  })();
})();
