// The device web UI: fills the page from the JSON API and keeps it live with Server-Sent
// Events (/api/events). Plain DOM, no framework; see docs/web-ui.md for the API.
'use strict';
const $ = (id) => document.getElementById(id);
const text = (id, v) => { $(id).textContent = v == null ? '\u2014' : v; };
function kb(n) {  // a byte count for people: 812 B, 3.4 kB, 1.2 MB, 4.0 GB
  if (n == null) return '\u2014';
  let i = 0;
  while (n >= 1024 && i < 3) { n /= 1024; i++; }
  return (i ? n.toFixed(1) : n) + ' ' + ['B', 'kB', 'MB', 'GB'][i];
}

function el(tag, props, ...kids) {
  const e = Object.assign(document.createElement(tag), props);
  e.append(...kids);
  return e;
}

const sleep = (ms) => new Promise((ok) => setTimeout(ok, ms));
const toLogin = () => { location.href = '/login?next=' + encodeURIComponent(location.pathname); };

async function api(path, method, body) {
  const opt = { method: method || 'GET' };
  if (body instanceof FormData) opt.body = body;
  else if (body) { opt.body = JSON.stringify(body); opt.headers = { 'Content-Type': 'application/json' }; }
  let r;
  for (let i = 0; ; i++) {  // 503: the board is at its connection cap; it asks to retry in 1 s
    try { r = await fetch('/api/' + path, opt); } catch (e) {
      throw new Error('The device does not answer: is it on, and on this network?');
    }
    if (r.status !== 503 || i === 4) break;
    await sleep(1000 + 300 * i);
  }
  if (r.status === 401) {  // the session ended (restart, new password, expiry)
    toLogin();
    return new Promise(() => {});  // nothing more to do on this page
  }
  const data = await r.json().catch(() => null);
  if (r.status === 413) throw new Error('Too large: the device takes at most ' + kb(uploadMax) + ' per upload. Upload fewer or smaller files at a time.');
  if (!r.ok) throw new Error((data && data.error) || 'The device answered ' + r.status + (r.statusText ? ' ' + r.statusText : '') + '.');
  return data;
}

function say(id, msg, bad) {
  const p = $(id);
  p.textContent = msg;
  p.className = bad ? 'msg bad' : 'msg';
}

function duration(s) {
  const d = Math.floor(s / 86400), h = Math.floor(s / 3600) % 24, m = Math.floor(s / 60) % 60;
  return (d ? d + 'd ' : '') + (d || h ? h + 'h ' : '') + (d || h || m ? m + 'm ' : '') + (s % 60) + 's';
}

function signal(rssi) {
  if (rssi == null) return null;
  const q = rssi >= -55 ? 'excellent' : rssi >= -67 ? 'good' : rssi >= -75 ? 'fair' : 'weak';
  return rssi + ' dBm (' + q + ')';
}

// --- device and live values -----------------------------------------------------------------

function showLive(d) {
  text('uptime', duration(d.uptime));
  text('heap', kb(d.heap_free) + ' (' + kb(d.heap_used) + ' used)');
  text('rssi', signal(d.rssi));
  text('temperature', d.temperature == null ? null : d.temperature.toFixed(1) + ' \u00b0C');
  if (d.wifi) showWifi(d.wifi);
}

function showStatus(s) {
  if (s.upload_max) { uploadMax = s.upload_max; $('upload-max').textContent = kb(uploadMax); }
  text('name', s.name);
  document.title = s.name;
  text('board', s.board);
  text('micropython', s.micropython);
  text('fs', s.fs_total ? kb(s.fs_total - s.fs_free) + ' used of ' + kb(s.fs_total) : null);
  showLive(s);
}

function showWifi(w) {
  text('ssid', w.mode === 'ap' ? w.ssid + ' (access point)' : w.connected ? w.ssid : 'not connected');
  text('ip', w.ip);
}

// --- controls --------------------------------------------------------------------------------

const pins = {};
let uploadMax = 128 * 1024, live = false, polled = false;

function setPin(name, body) {
  say('pins-msg', '');
  api('pins/' + encodeURIComponent(name), 'POST', body).catch((e) => say('pins-msg', name + ': ' + e.message, true));
}

function setLive(on, asked) {  // the offline banner; the controls work only while the device answers
  live = on;
  polled = on && !!asked;
  $('offline').hidden = on;
  $('link').className = on && !asked ? 'on' : 'off';
  $('link').textContent = on ? (asked ? 'busy: updates every few seconds' : 'live') : 'offline';
  for (const c of $('pins').querySelectorAll('button, input')) c.disabled = !on;
}

function showPins(list) {
  const box = $('pins');
  if (list.length && box.querySelector('.hint')) box.textContent = '';
  for (const p of list) {
    let ui = pins[p.name];
    if (!ui || ui.mode !== p.mode) {
      if (ui) ui.row.remove();
      const label = el('span', {}, el('strong', { textContent: p.name }), ' ', el('small', { textContent: 'pin ' + p.pin }));
      if (p.mode === 'input') {
        const state = el('span', { className: 'state' });
        ui = { mode: p.mode, state, row: el('div', { className: 'pin', id: 'pin-' + p.name }, label, state) };
      } else {
        const toggle = el('button', { type: 'button', className: 'toggle', disabled: !live });
        toggle.onclick = () => setPin(p.name, { on: toggle.getAttribute('aria-pressed') !== 'true' });
        ui = { mode: p.mode, toggle, row: el('div', { className: 'pin', id: 'pin-' + p.name }, label, toggle) };
        if (p.pwm) {
          const range = el('input', { type: 'range', min: 0, max: 100, step: 5, disabled: !live });
          const out = el('output', { className: 'level' });
          range.setAttribute('aria-label', p.name + ' level');
          range.oninput = () => { out.textContent = range.value + ' %'; };
          range.onchange = () => setPin(p.name, { level: +range.value });
          ui.range = range;
          ui.out = out;
          ui.row.append(el('div', { className: 'slider' }, range, out));
        }
      }
      pins[p.name] = ui;
      box.append(ui.row);
    }
    if (ui.state) {
      ui.state.textContent = p.on ? 'active' : 'inactive';
      ui.state.className = p.on ? 'state on' : 'state';
      continue;
    }
    ui.toggle.setAttribute('aria-pressed', p.on);
    ui.toggle.textContent = p.on ? (p.level < 100 ? p.level + ' %' : 'On') : 'Off';
    if (ui.range && document.activeElement !== ui.range) {
      ui.range.value = p.level;
      ui.out.textContent = p.level + ' %';
    }
  }
  for (const name in pins) {  // pins the settings removed
    if (!list.some((p) => p.name === name)) { pins[name].row.remove(); delete pins[name]; }
  }
}

// --- Wi-Fi -------------------------------------------------------------------------------------

async function loadWifi() {
  const w = await api('wifi');
  showWifi(w.status);
  $('saved').replaceChildren(...w.saved.map((ssid) => {
    const b = el('button', { type: 'button', className: 'quiet', textContent: 'Forget' });
    b.onclick = () => api('wifi?ssid=' + encodeURIComponent(ssid), 'DELETE')
      .then(() => { say('wifi-msg', 'Forgot \u201c' + ssid + '\u201d'); loadWifi(); })
      .catch((e) => say('wifi-msg', e.message, true));
    return el('li', {}, el('span', { textContent: ssid }, w.unverified.includes(ssid) ? el('small', { className: 'tag', textContent: 'not verified' }) : ''), b);
  }));
  if (!w.saved.length) $('saved').append(el('li', { className: 'hint', textContent: 'none' }));
}

$('scan').onclick = async () => {
  say('wifi-msg', 'Scanning\u2026');
  try {
    const nets = await api('wifi/scan');
    $('found').replaceChildren(...nets.map((n) => el('option', { value: n.ssid })));
    $('networks').replaceChildren(...nets.map((n) => {
      const b = el('button', { type: 'button', className: 'quiet', textContent: 'Use' });
      b.onclick = () => { $('wifi-form').ssid.value = n.ssid; $('wifi-form').password.focus(); };
      const bars = el('b', { className: 'b s' + (n.rssi >= -55 ? 4 : n.rssi >= -67 ? 3 : n.rssi >= -75 ? 2 : 1),
        title: signal(n.rssi) }, el('i'), el('i'), el('i'), el('i'));  // as the setup page draws them
      return el('li', {}, el('span', { textContent: n.ssid }),
        el('span', { className: 'row', innerHTML: n.secure ? LOCK : '' }, bars, b));
    }));
    say('wifi-msg', nets.length + ' networks found');
  } catch (e) { say('wifi-msg', e.message, true); }
};

$('wifi-form').onsubmit = async (ev) => {
  ev.preventDefault();
  const f = ev.target;
  const ssid = f.ssid.value, q = '\u201c' + ssid + '\u201d';
  try {
    await api('wifi', 'POST', { ssid, password: f.password.value });
  } catch (e) { return say('wifi-msg', e.message, true); }
  say('wifi-msg', 'Joining ' + q + '\u2026');
  f.password.value = '';
  for (let i = 0; i < 60; i++) {  // follow the join: it ends in at most connect_timeout (15 s)
    await sleep(1000);
    let w;
    try { w = await api('wifi'); } catch (e) {
      const name = $('name').textContent;
      return say('wifi-msg', 'The device left this network to join ' + q + '. If that worked, it is at http://' + name +
        '.local/ on ' + q + ' (or at the address your router lists for \u201c' + name + '\u201d); if not, it comes back here.');
    }
    const j = w.join;
    if (j.ssid !== ssid || j.state === 'connecting') continue;
    loadWifi();
    if (j.state === 'joined') return say('wifi-msg', 'Joined ' + q + ': the device is at http://' + j.ip + '/ there, and at http://' + $('name').textContent + '.local/.');
    return say('wifi-msg', 'Could not join ' + q + ': ' + j.reason + '.' + (w.unverified.includes(ssid) ? ' Saved as not verified: the device goes back to a network that works.' : ''), true);
  }
  say('wifi-msg', 'No answer about ' + q + ' yet: see the log below.', true);
};

// --- app update ------------------------------------------------------------------------------

let folder = '';

async function loadFiles(dir) {  // dir: a folder the user chose; none: the folder shown again
  const field = $('upload-form').dir;
  if (dir !== undefined) field.value = folder = dir;
  const files = await api('files' + (folder ? '?dir=' + encodeURIComponent(folder) : ''));
  const at = (name) => (folder ? folder + '/' : '') + name;
  const items = files.map((f) => {
    const name = f.dir ? el('a', { href: '#', textContent: f.name + '/' }) : el('span', { textContent: f.name });
    if (f.dir) name.onclick = (ev) => { ev.preventDefault(); loadFiles(at(f.name)).catch((e) => say('upload-msg', e.message, true)); };
    const size = el('small', { textContent: f.dir ? '' : kb(f.size) });
    // the device's own files (settings, update note) cannot be deleted here: no button for them
    if (f.kept) return el('li', { className: 'kept', title: 'Kept by the device: its settings change on the settings page' }, name, el('span', { className: 'row' }, size, el('small', { textContent: 'device' })));
    const del = el('button', { type: 'button', className: 'quiet icon', title: 'Delete ' + at(f.name), innerHTML: BIN });
    del.setAttribute('aria-label', 'Delete ' + at(f.name));
    del.onclick = async () => {
      if (!confirm('Delete ' + at(f.name) + (f.dir ? '/ (it must be empty)' : '') + ' from the device?')) return;
      try { await api('files?path=' + encodeURIComponent(at(f.name)), 'DELETE'); say('upload-msg', 'Deleted ' + at(f.name)); loadFiles(); } catch (e) { say('upload-msg', e.message, true); }
    };
    return el('li', {}, name, el('span', { className: 'row' }, size, del));
  });
  if (folder) {
    const up = el('a', { href: '#', textContent: '\u2190 ' + (folder.includes('/') ? folder.slice(0, folder.lastIndexOf('/')) + '/' : 'top level') });
    up.onclick = (ev) => { ev.preventDefault(); loadFiles(folder.includes('/') ? folder.slice(0, folder.lastIndexOf('/')) : '').catch((e) => say('upload-msg', e.message, true)); };
    items.unshift(el('li', {}, up));
  }
  $('folder').textContent = '/' + folder;
  // the default only: a field the user typed in (before the listing came, or since) keeps it
  field.defaultValue = folder;
  $('files').replaceChildren(...items);
}

const LOCK = '<svg class="k" viewBox="0 0 24 24" role="img" aria-label="secured"><path d="M6 10V7a6 6 0 0112 0v3h1v12H5V10zm2 0h8V7a4 4 0 00-8 0z"/></svg>';
const BIN = '<svg viewBox="0 0 24 24" width="18" height="18" aria-hidden="true"><path fill="currentColor" d="M9 3h6l1 2h4v2H4V5h4zm-3 6h12l-1 12H7z"/></svg>';

$('upload-form').onsubmit = async (ev) => {
  ev.preventDefault();
  const f = ev.target, data = new FormData(), dir = f.dir.value, files = f.file.files;
  let total = 0;
  for (const file of files) total += file.size;
  if (total > uploadMax) return say('upload-msg', 'These files are ' + kb(total) + ': the device takes at most ' + kb(uploadMax) + ' per upload. Upload them a few at a time.', true);
  data.append('dir', dir);  // before the files: the device reads the form in order
  data.append('names', [...files].map((file) => file.name).join('\n'));  // checked before any file is written
  for (const file of files) data.append('file', file, file.name);
  say('upload-msg', 'Uploading\u2026');
  // A small board (an ESP8266) has heap for the live stream or an upload, not both: the stream
  // pauses while the files go (the board ends it at its next event; listen() waits), and
  // starts again after.
  uploading = true;
  if (stream) { stream.close(); stream = null; }
  try {
    const r = await api('files', 'POST', data);
    say('upload-msg', 'Uploaded ' + r.files.map((x) => x.name + ' (' + kb(x.size) + ')').join(', ') + '. Restart to run it.');
    // cleared, unless the user typed another folder or chose other files while these went
    if (f.dir.value === dir) f.dir.value = f.dir.defaultValue;
    if (f.file.files === files) f.file.value = '';
    loadFiles();
  } catch (e) { say('upload-msg', e.message, true); }
  uploading = false;
  if (!stream) listen();
};

$('restart').onclick = async () => {
  if (!confirm('Restart the device?')) return;
  try {
    await api('restart', 'POST');
    say('upload-msg', 'Restarting\u2026 the page reconnects by itself.');
  } catch (e) { say('upload-msg', e.message, true); }
};

// --- log ---------------------------------------------------------------------------------------

function showLog(lines) {
  const ol = $('log-lines');
  for (const l of lines) ol.append(el('li', {}, el('span', { textContent: duration(l.t) }), l.text));
  while (ol.children.length > 50) ol.firstChild.remove();
  ol.scrollTop = ol.scrollHeight;
}

// --- live stream -------------------------------------------------------------------------------

let heard = 0, stream = null;  // when the stream last said something; the stream
let answered = null;  // called with the stream's first answer's request (see the end)
let uploading = false;  // an upload is on its way: no stream meanwhile (see the upload form)

function listen() {
  // One stream per page: a retry that was already due (a refused stream's) must not open a
  // second one beside the stream the upload opened again, which would hold the board's one
  // stream unseen while this page shows itself busy.
  if (uploading || stream) return;
  const es = stream = new EventSource('/api/events');
  heard = Date.now();
  const on = (name, f) => es.addEventListener(name, (e) => { heard = Date.now(); f(JSON.parse(e.data)); });
  on('live', showLive);
  on('pins', showPins);
  on('log', showLog);
  es.onopen = () => {
    setLive(true);
    $('log-lines').textContent = '';  // the stream starts with the whole recent log
    answered(api('status').then(showStatus).catch(() => {}));
  };
  es.onerror = () => {
    // The browser retries a dropped stream by itself, but not a refused one (CLOSED): then
    // start over. If the device answers meanwhile, it is up but has no stream to spare (a
    // small board serves one or two): the page then works by asking, at every retry. A
    // refused stream may also mean the session ended: api() then goes to the login page.
    const closed = es.readyState === EventSource.CLOSED;
    if (closed) stream = null;
    answered(api('status').then((st) => { showStatus(st); setLive(true, true); return api('pins'); })
      .then(showPins).catch(() => setLive(false))
      .then(() => { if (closed) setTimeout(listen, 2000); }));
  };
}

// A board that hangs or drops off the network often leaves the connection open but silent:
// live values come every 2 s, so 7 s without any means offline, and the stream starts over.
setInterval(() => {
  if (stream && !polled && Date.now() - heard > 7000) {
    stream.close();
    stream = null;
    setLive(false);
    listen();
  }
}, 1000);

sessionStorage.retries = 0;  // the page loaded whole (see retry() in the page)
// One request at a time: a small board (an ESP8266) has heap for the live stream and about one
// more request, and requests served side by side leave its heap in pieces too small for the
// next page. So the stream first, then the status it asks for, then the cards one after the
// other; the firmware card (firmware.js) waits for `window.settled` too.
const first = new Promise((ok) => { answered = (p) => { answered = (q) => q; ok(p); }; });
listen();
window.settled = Promise.race([first, sleep(10000)])
  .then(() => loadWifi().catch((e) => say('wifi-msg', e.message, true)))
  .then(() => loadFiles().catch((e) => say('upload-msg', e.message, true)));
