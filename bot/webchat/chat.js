// Minimal web chat over Rasa's REST channel.
(async () => {
  const log = document.getElementById("log");
  const form = document.getElementById("composer");
  const input = document.getElementById("message");
  const config = await (await fetch("/config.json")).json();
  const storageKey = "herstel-sender";
  const sender = sessionStorage.getItem(storageKey) || crypto.randomUUID();
  sessionStorage.setItem(storageKey, sender);

  function add(text, kind) {
    const item = document.createElement("li");
    item.className = `msg msg--${kind}`;
    item.textContent = text;
    log.appendChild(item);
    log.scrollTop = log.scrollHeight;
    return item;
  }

  function addButtons(buttons) {
    const row = document.createElement("li");
    row.className = "buttons";
    for (const b of buttons) {
      const button = document.createElement("button");
      button.type = "button";
      button.textContent = b.title;
      button.addEventListener("click", () => {
        row.querySelectorAll("button").forEach((x) => (x.disabled = true));
        send(b.payload, b.title);
      });
      row.appendChild(button);
    }
    log.appendChild(row);
  }

  // Bot messages not caused by the customer's own turn (a colleague's decision or message)
  // are fetched from the desk; `seen` counts the bot messages already on screen.
  // `busy` counts the customer's turns in flight: a poll while any is open could show a
  // reply its own turn is about to show.
  let seen = 0;
  let busy = 0;

  function show(reply) {
    if (reply.text) add(reply.text, "bot");
    if (reply.buttons?.length) addButtons(reply.buttons);
  }

  async function poll() {
    if (busy) return;
    try {
      const response = await fetch(`/chat/${encodeURIComponent(sender)}/messages`);
      if (!response.ok || busy) return;
      const { messages } = await response.json();
      messages.slice(seen).forEach(show);
      seen = Math.max(seen, messages.length);
    } catch (error) {
      // The next poll tries again; the customer's own turns do not depend on it.
    }
  }
  setInterval(poll, 3000);

  async function send(message, shown) {
    add(shown ?? message, "user");
    busy += 1;
    try {
      const response = await fetch(`${config.rasaUrl}/webhooks/rest/webhook`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ sender, message }),
      });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      const replies = await response.json();
      replies.forEach(show);
      seen += replies.length;
    } catch (error) {
      add("Sorry, the connection failed. Please try again. / Sorry, de verbinding mislukte. Probeer het opnieuw.", "error");
    } finally {
      busy -= 1;
    }
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const text = input.value.trim();
    if (!text) return;
    input.value = "";
    send(text);
  });
})();
