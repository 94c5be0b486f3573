/*
 * Switchboard chat widget. A site embeds it with
 *
 *   <script src="https://chat.example.com/widget.js" data-switchboard-url="https://chat.example.com" async></script>
 *
 * Attributes of that tag (all optional):
 *   data-switchboard-url   gateway-web's base URL (default: where widget.js came from)
 *   data-conversation      a fixed conversation id (default: one kept in localStorage per site)
 *   data-mount             CSS selector of an element to render into (default: a floating box)
 *   data-title             header text (default "Support")
 *   data-customer-name, data-customer-id, data-language   passed with every message
 *
 * How it talks to gateway-web (services/gateway-web/README.md):
 *   - messages go by POST /v1/messages with the widget's own message_id, retried with backoff
 *     until acknowledged (the gateway accepts an id once), kept in localStorage until then;
 *   - replies come over the WebSocket /v1/conversations/{id}/ws?after=<seq>: first every entry
 *     after the last one this browser has seen (what arrived while it was away), then
 *     {"type":"synced"}, then live; every entry has an id and repeats are dropped;
 *   - the socket reconnects with exponential backoff (and at once when the browser is back
 *     online), sends {"type":"typing"} at most every 2.5 s while the customer types and a ping
 *     every 25 s.
 * No dependencies; it renders into a shadow root so the site's CSS and the widget's do not mix.
 */
(function () {
  'use strict';

  var script = document.currentScript;
  if (!script) return;
  var data = script.dataset;
  var base = (data.switchboardUrl || new URL(script.src, location.href).origin).replace(/\/+$/, '');
  var TYPING_EVERY_MS = 2500;
  var PING_EVERY_MS = 25000;
  var DEAD_AFTER_MS = 60000;
  var ASSISTANT_TYPING_MAX_MS = 15000;
  var CACHE_ENTRIES = 100;

  // ---- storage (localStorage when usable, else memory) -------------------------------------
  var memory = {};
  function load(key) {
    try { var v = window.localStorage.getItem(key); return v === null ? memory[key] : v; }
    catch (e) { return memory[key]; }
  }
  function save(key, value) {
    memory[key] = value;
    try { window.localStorage.setItem(key, value); } catch (e) { /* quota or disabled: memory only */ }
  }
  function randomId(prefix) {
    var r = window.crypto && crypto.randomUUID ? crypto.randomUUID().replace(/-/g, '')
                                               : Math.random().toString(36).slice(2) + Date.now().toString(36);
    return prefix + r.slice(0, 24);
  }
  var siteKey = 'switchboard:' + base + ':';
  var conversation = data.conversation || load(siteKey + 'conversation') || randomId('web-');
  if (!data.conversation) save(siteKey + 'conversation', conversation);
  var stateKey = siteKey + 'c:' + conversation;
  var stored = {};
  try { stored = JSON.parse(load(stateKey) || '{}') || {}; } catch (e) { stored = {}; }
  var cursor = typeof stored.seq === 'number' ? stored.seq : 0;  // highest entry seq seen
  var cache = Array.isArray(stored.entries) ? stored.entries : [];  // what to show on reload
  var outbox = Array.isArray(stored.outbox) ? stored.outbox : [];   // sent, not yet acknowledged
  function persist() {
    save(stateKey, JSON.stringify({ seq: cursor, entries: cache.slice(-CACHE_ENTRIES), outbox: outbox }));
  }

  // ---- view --------------------------------------------------------------------------------
  var mountPoint = data.mount ? document.querySelector(data.mount) : null;
  var host = document.createElement('div');
  host.setAttribute('data-switchboard-widget', conversation);
  (mountPoint || document.body).appendChild(host);
  var root = host.attachShadow ? host.attachShadow({ mode: 'open' }) : host;
  var floating = !mountPoint;
  root.innerHTML =
    '<style>' +
    ':host{all:initial}' +
    '.sbw{font:14px/1.4 system-ui,-apple-system,"Segoe UI",sans-serif;color:#1d2330;background:#fff;' +
    'border:1px solid #d5d9e0;border-radius:10px;display:flex;flex-direction:column;overflow:hidden;' +
    'width:100%;height:100%;min-height:320px;box-sizing:border-box}' +
    '.sbw.floating{position:fixed;right:20px;bottom:20px;width:340px;height:460px;z-index:2147483000;' +
    'box-shadow:0 6px 24px rgba(0,0,0,.18)}' +
    '.sbw.floating.collapsed{height:auto;min-height:0}.sbw.collapsed .sbw-body{display:none}' +
    '.sbw-header{background:#22345a;color:#fff;padding:8px 12px;cursor:default;display:flex;flex-direction:column}' +
    '.sbw.floating .sbw-header{cursor:pointer}' +
    '.sbw-title{font-weight:600}.sbw-with{font-size:12px;opacity:.85}' +
    '.sbw-conn{font-size:11px;color:#ffd28a;min-height:0}' +
    '.sbw-body{flex:1;display:flex;flex-direction:column;min-height:0}' +
    '.sbw-log{flex:1;overflow-y:auto;padding:10px;display:flex;flex-direction:column;gap:8px}' +
    '.sbw-msg{max-width:85%;padding:6px 10px;border-radius:10px;white-space:pre-wrap;word-wrap:break-word}' +
    '.sbw-customer{align-self:flex-end;background:#dfe9ff}' +
    '.sbw-bot,.sbw-operator{align-self:flex-start;background:#f1f2f5}' +
    '.sbw-operator{background:#e7f6ea}.sbw-notice{font-style:italic}' +
    '.sbw-marker{display:block;font-size:11px;color:#5b6475;margin-bottom:2px}' +
    '.sbw-status{display:block;font-size:11px;color:#8a90a0;text-align:right}' +
    '.sbw-customer[data-status=failed] .sbw-status{color:#b00020}' +
    '.sbw-typing{font-size:12px;color:#5b6475;padding:0 12px 4px;min-height:16px}' +
    '.sbw-form{display:flex;gap:6px;padding:8px;border-top:1px solid #e3e6eb}' +
    '.sbw-input{flex:1;padding:7px 9px;border:1px solid #c9ced8;border-radius:6px;font:inherit}' +
    '.sbw-send{padding:7px 12px;border:0;border-radius:6px;background:#22345a;color:#fff;font:inherit;cursor:pointer}' +
    '</style>' +
    '<section class="sbw" data-state="connecting" aria-label="Chat">' +
    '<div class="sbw-header"><span class="sbw-title"></span>' +
    '<span class="sbw-with">You are talking to the assistant</span><span class="sbw-conn"></span></div>' +
    '<div class="sbw-body">' +
    '<div class="sbw-log" role="log" aria-live="polite"></div>' +
    '<div class="sbw-typing" aria-live="polite"></div>' +
    '<form class="sbw-form"><input class="sbw-input" autocomplete="off" maxlength="4000" ' +
    'aria-label="Your message" placeholder="Ask a question"><button class="sbw-send" type="submit">Send</button></form>' +
    '</div></section>';
  var box = root.querySelector('.sbw');
  var log = root.querySelector('.sbw-log');
  var withLine = root.querySelector('.sbw-with');
  var connLine = root.querySelector('.sbw-conn');
  var typingLine = root.querySelector('.sbw-typing');
  var input = root.querySelector('.sbw-input');
  root.querySelector('.sbw-title').textContent = data.title || 'Support';
  if (floating) {
    box.classList.add('floating');
    root.querySelector('.sbw-header').addEventListener('click', function () { box.classList.toggle('collapsed'); });
  }

  var shown = new Map();       // entry id -> element
  var pending = new Map();     // client message id -> element (a customer's message in flight)
  var counterpart = 'assistant';

  function markerOf(entry) {
    if (entry.marker) return entry.marker;
    if (entry.author === 'operator') return 'You are talking to ' + (entry.operator_name || 'an operator');
    return 'You are talking to the assistant';
  }

  function bubble(author, text) {
    var el = document.createElement('div');
    el.className = 'sbw-msg sbw-' + author;
    var body = document.createElement('span');
    body.className = 'sbw-text';
    body.textContent = text;
    el.appendChild(body);
    return el;
  }

  function setStatus(el, status, note) {
    el.setAttribute('data-status', status);
    var s = el.querySelector('.sbw-status');
    if (!s) { s = document.createElement('span'); s.className = 'sbw-status'; el.appendChild(s); }
    s.textContent = note;
  }

  function scrollDown() { log.scrollTop = log.scrollHeight; }

  // Shows one transcript entry unless it is shown already; true if it was new.
  function show(entry) {
    if (!entry || typeof entry.id !== 'string' || shown.has(entry.id)) return false;
    var el;
    if (entry.author === 'customer') {
      el = entry.client_message_id && pending.get(entry.client_message_id);
      if (el) {
        pending.delete(entry.client_message_id);
        dropFromOutbox(entry.client_message_id);
      } else {
        el = bubble('customer', entry.text || '');
        log.appendChild(el);
      }
      setStatus(el, 'sent', '');
    } else {
      var author = entry.author === 'operator' ? 'operator' : 'bot';
      el = bubble(author, entry.text || '');
      var marker = document.createElement('span');
      marker.className = 'sbw-marker';
      marker.textContent = markerOf(entry);  // on every reply: who is answering
      el.insertBefore(marker, el.firstChild);
      if (entry.kind === 'notice') el.classList.add('sbw-notice');
      if (entry.operator_name) el.setAttribute('data-operator', entry.operator_name);
      withLine.textContent = markerOf(entry);
      counterpart = author === 'operator' ? 'operator' : entry.kind === 'notice' ? 'handoff' : 'assistant';
      assistantTyping(false);
      log.appendChild(el);
    }
    el.setAttribute('data-id', entry.id);
    if (typeof entry.seq === 'number') el.setAttribute('data-seq', String(entry.seq));
    shown.set(entry.id, el);
    scrollDown();
    return true;
  }

  // An entry from the server (backlog or live).
  function receive(entry) {
    if (!entry || typeof entry.id !== 'string') return;
    if (typeof entry.seq === 'number' && entry.seq > cursor) cursor = entry.seq;
    if (show(entry)) cache.push(entry);
    persist();
  }

  var typingTimer = null;
  function assistantTyping(on) {
    clearTimeout(typingTimer);
    typingLine.textContent = on ? 'assistant is typing\u2026' : '';
    if (on) typingTimer = setTimeout(function () { assistantTyping(false); }, ASSISTANT_TYPING_MAX_MS);
  }

  // ---- sending (HTTP, idempotent by client message id) ---------------------------------------
  function dropFromOutbox(clientId) {
    var before = outbox.length;
    outbox = outbox.filter(function (m) { return m.client_id !== clientId; });
    if (outbox.length !== before) persist();
  }

  function backoff(attempt) {
    var ms = Math.min(30000, 500 * Math.pow(2, attempt));
    return ms / 2 + Math.random() * ms / 2;
  }

  // The gateway has the message (its id is `id`): remembered like a received entry, so a reload
  // shows it and the transcript's copy (in a later backlog) is recognised as shown.
  function acknowledged(item, el, id) {
    dropFromOutbox(item.client_id);
    if (!el || pending.get(item.client_id) !== el) return;  // the transcript's copy came first
    pending.delete(item.client_id);
    setStatus(el, 'sent', '');
    if (typeof id !== 'string' || shown.has(id)) return;
    el.setAttribute('data-id', id);
    shown.set(id, el);
    cache.push({ id: id, author: 'customer', text: item.text, client_message_id: item.client_id });
    persist();
  }

  function deliver(item, attempt) {
    var el = pending.get(item.client_id);
    var body = { conversation_id: conversation, text: item.text, message_id: item.client_id };
    if (data.customerName || data.customerId || data.language) {
      body.customer = { id: data.customerId || '', name: data.customerName || '', language: data.language || '' };
    }
    fetch(base + '/v1/messages', {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body)
    }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (j) {
        if (r.ok) {  // 202 accepted, or 200 duplicate of an accepted one: either way it is in
          acknowledged(item, el, j.message_id);
          return;
        }
        if (r.status >= 400 && r.status < 500 && r.status !== 408 && r.status !== 429) {
          dropFromOutbox(item.client_id);  // refused for good: retrying cannot help
          if (el) { pending.delete(item.client_id); setStatus(el, 'failed', j.message || 'Not sent'); }
          assistantTyping(false);
          return;
        }
        throw new Error('HTTP ' + r.status);
      });
    }).catch(function () {
      if (el) setStatus(el, 'sending', 'Sending\u2026');
      setTimeout(function () { deliver(item, attempt + 1); }, backoff(attempt));
    });
  }

  function send(text) {
    var item = { client_id: randomId('w'), text: text };
    outbox.push(item);
    persist();
    var el = bubble('customer', text);
    setStatus(el, 'sending', '');
    pending.set(item.client_id, el);
    log.appendChild(el);
    scrollDown();
    // Until the reply shows (or 15 s): set now, so a reply faster than the POST's answer clears it.
    if (counterpart === 'assistant') assistantTyping(true);
    deliver(item, 0);
  }

  root.querySelector('.sbw-form').addEventListener('submit', function (e) {
    e.preventDefault();
    var text = input.value.trim();
    if (!text) return;
    input.value = '';
    send(text);
  });

  // ---- the socket: resume, live, typing, keep-alive, reconnect ---------------------------------
  var ws = null;
  var attempts = 0;
  var reconnectTimer = null;
  var lastFrameAt = 0;
  var lastTypingAt = 0;

  function setState(state, note) {
    box.setAttribute('data-state', state);
    connLine.textContent = note || '';
  }

  function socketUrl() {
    return base.replace(/^http/, 'ws') + '/v1/conversations/' + encodeURIComponent(conversation) +
           '/ws?after=' + cursor;
  }

  function connect() {
    clearTimeout(reconnectTimer);
    reconnectTimer = null;
    if (ws) return;
    setState('connecting', attempts > 0 ? 'Reconnecting\u2026' : '');
    var socket;
    try { socket = new WebSocket(socketUrl()); } catch (e) { scheduleReconnect(); return; }
    ws = socket;
    socket.onopen = function () { lastFrameAt = Date.now(); setState('syncing', ''); };
    socket.onmessage = function (e) {
      lastFrameAt = Date.now();
      var frame;
      try { frame = JSON.parse(e.data); } catch (err) { return; }
      if (frame.type === 'message') {
        receive(frame.message);
      } else if (frame.type === 'synced') {
        // A head below our cursor: the conversation started over on the server; follow it.
        if (typeof frame.seq === 'number' && frame.seq < cursor) { cursor = frame.seq; persist(); }
        attempts = 0;
        setState('online', '');
      }
    };
    socket.onclose = function () {
      if (ws !== socket) return;
      ws = null;
      setState('offline', 'Connection lost \u2014 reconnecting\u2026');
      scheduleReconnect();
    };
  }

  function scheduleReconnect() {
    if (reconnectTimer) return;
    var delay = backoff(attempts++);
    reconnectTimer = setTimeout(connect, delay);
  }

  function dropSocket() {
    if (!ws) return;
    var socket = ws;
    ws = null;
    try { socket.close(); } catch (e) { /* already closing */ }
    setState('offline', 'Offline \u2014 waiting for the network\u2026');
  }

  window.addEventListener('online', function () { attempts = 0; if (!ws) connect(); });
  window.addEventListener('offline', function () { dropSocket(); clearTimeout(reconnectTimer); reconnectTimer = null; });
  setInterval(function () {
    if (!ws || ws.readyState !== WebSocket.OPEN) return;
    if (Date.now() - lastFrameAt > DEAD_AFTER_MS) { dropSocket(); scheduleReconnect(); return; }
    ws.send('{"type":"ping"}');
  }, PING_EVERY_MS);

  input.addEventListener('input', function () {
    var now = Date.now();
    if (!input.value.trim() || now - lastTypingAt < TYPING_EVERY_MS) return;
    if (!ws || ws.readyState !== WebSocket.OPEN) return;
    lastTypingAt = now;
    ws.send('{"type":"typing"}');
  });

  // ---- start: what this browser saw before, messages still unacknowledged, then the socket -----
  cache.forEach(function (entry) { show(entry); });
  outbox.forEach(function (item) {
    var el = bubble('customer', item.text);
    setStatus(el, 'sending', 'Sending\u2026');
    pending.set(item.client_id, el);
    log.appendChild(el);
    deliver(item, 0);
  });
  connect();

  window.SwitchboardWidget = {
    conversation: conversation,
    cursor: function () { return cursor; },
    state: function () { return box.getAttribute('data-state'); }
  };
})();
