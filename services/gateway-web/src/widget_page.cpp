#include "web_gateway.hpp"

namespace switchboard::gateway_web {

const char* WidgetPage() {
    return R"html(<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Switchboard demo chat</title>
<style>
 body { font: 15px system-ui, sans-serif; max-width: 40em; margin: 2em auto; }
 #log { border: 1px solid #ccc; height: 24em; overflow-y: auto; padding: .5em; }
 .customer { text-align: right; color: #124; }
 .bot, .operator { color: #222; }
 .marker { font-size: 11px; color: #888; }
 form { display: flex; gap: .5em; margin-top: .5em; }
 input { flex: 1; padding: .4em; }
</style>
</head>
<body>
<h1>Switchboard demo chat</h1>
<div id="log" aria-live="polite"></div>
<form id="f"><input id="text" autocomplete="off" placeholder="Ask a question, or write &quot;operator&quot;"><button>Send</button></form>
<script>
const conv = sessionStorage.conv || (sessionStorage.conv = 'web-' + Math.random().toString(36).slice(2, 10));
const log = document.getElementById('log');
const seen = new Set();
function show(m) {
  if (seen.has(m.id)) return;
  seen.add(m.id);
  const d = document.createElement('div');
  d.className = m.author;
  d.textContent = m.text;
  if (m.marker) { const s = document.createElement('div'); s.className = 'marker'; s.textContent = m.marker; d.appendChild(s); }
  log.appendChild(d);
  log.scrollTop = log.scrollHeight;
}
fetch('/v1/conversations/' + conv + '/messages').then(r => r.json()).then(j => j.messages.forEach(show));
function connect() {
  const ws = new WebSocket((location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/v1/conversations/' + conv + '/ws');
  ws.onmessage = e => { const j = JSON.parse(e.data); if (j.type === 'message') show(j.message); };
  ws.onclose = () => setTimeout(connect, 1000);
}
connect();
document.getElementById('f').onsubmit = async e => {
  e.preventDefault();
  const input = document.getElementById('text');
  const text = input.value.trim();
  if (!text) return;
  const id = 'w' + Date.now() + Math.random().toString(36).slice(2, 6);
  input.value = '';
  const r = await fetch('/v1/messages', { method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ conversation_id: conv, text, message_id: id }) });
  const j = await r.json();
  if (r.ok) show({ id: j.message_id, author: 'customer', text }); else alert(j.message);
};
</script>
</body>
</html>
)html";
}

}  // namespace switchboard::gateway_web
