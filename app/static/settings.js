// The settings page: reads /api/settings, saves each form back to it and shows the device's
// answer next to the field it names (see app/ui/settings.py).
'use strict';
const $ = (id) => document.getElementById(id);
const MODES = ['switch', 'pwm', 'input'];

function el(tag, props, ...kids) {
  const e = Object.assign(document.createElement(tag), props);
  e.append(...kids);
  return e;
}

async function send(body, path) {  // -> [ok, data]
  let r;
  try {
    r = await fetch('/api/' + (path || 'settings'), body ? { method: 'POST', body: typeof body === 'string' ? body : JSON.stringify(body),
      headers: { 'Content-Type': 'application/json' } } : {});
  } catch (e) {
    return [false, { error: 'The device does not answer: is it on and on this network?' }];
  }
  if (r.status === 401) { location.href = '/login?next=/settings'; return [false, {}]; }
  const data = await r.json().catch(() => ({ error: r.status + ' ' + r.statusText }));
  return [r.ok, data];
}

function clear() {
  for (const p of document.querySelectorAll('.msg')) {
    p.textContent = '';
    if (!p.id.startsWith('err-')) p.className = 'msg';
  }
}

function show(data, msg) {  // an error next to its field, else in the form's message line
  const p = $('err-' + data.field) || $(msg);
  p.textContent = data.error;
  p.className = 'msg bad';
}

const LABELS = { port: 'port', hostname: 'name', ap_ssid: 'access point name', ap_password: 'access point password',
  dns_port: 'DNS port', watchdog_ms: 'watchdog' };
function later(names) {  // what the device says counts only from its next start
  return names && names.length ? ' Takes effect after a restart: ' + names.map((n) => LABELS[n] || n).join(', ') + '.' : ' In effect now.';
}

function pinRow(p) {
  const mode = el('select', { name: 'mode' }, ...MODES.map((m) => el('option', { value: m, textContent: m })));
  mode.value = p.mode || 'switch';
  const check = (n, v, t) => el('label', { className: 'check' }, el('input', { type: 'checkbox', name: n, checked: !!v }), t);
  const remove = el('button', { type: 'button', className: 'quiet', textContent: 'Remove' });
  const row = el('fieldset', { className: 'pin-row' },
    el('label', {}, 'Name', el('input', { name: 'name', value: p.name || '', required: true, maxLength: 24 })),
    el('label', {}, 'GPIO', el('input', { name: 'pin', value: p.pin == null ? '' : p.pin, required: true, maxLength: 12 })),
    el('label', {}, 'Mode', mode), check('invert', p.invert, 'Inverted'), check('on', p.on, 'On at start'), remove);
  remove.onclick = () => row.remove();
  return row;
}

// The device's settings into the page. A field the user has typed in keeps what they typed: the
// device's values are the fields' defaults, which the form's reset() shows (after its save).
function fill(s) {
  $('name').textContent = s.hostname;
  document.title = 'Settings - ' + s.hostname;
  const f = $('device-form');
  f.hostname.defaultValue = s.hostname;
  f.port.defaultValue = s.port;
  f.ap_mode.options[0].textContent = s.ap_password_set ? 'keep it as it is (set)' : 'keep it as it is (open network)';
}

function fillPins(s, add) {  // add: before the rows the user added while the page loaded
  $('pin-rows')[add ? 'prepend' : 'replaceChildren'](...s.pins.map(pinRow));
}

const typed = (f) => [...new FormData(f)].join();  // what a form holds, to see if it changed

function showDevice() {  // the device form shows what the device has (after a save or a restore)
  $('device-form').reset();
  $('ap-new').hidden = true;
}

$('device-form').ap_mode.onchange = (ev) => { $('ap-new').hidden = ev.target.value !== 'set'; };

$('device-form').onsubmit = async (ev) => {
  ev.preventDefault();
  clear();
  const f = ev.target, body = { hostname: f.hostname.value.trim(), port: +f.port.value };
  const ap = f.ap_mode.value;
  if (ap !== 'keep') body.ap_password = ap === 'set' ? f.ap_password.value : ap;
  const was = typed(f), [ok, data] = await send(body);
  if (!ok) return show(data, 'device-msg');
  fill(data);  // the pins form keeps what is being edited there
  if (typed(f) === was) showDevice();  // else typed in while it was saved: that stays
  $('device-msg').textContent = 'Saved.' + later(data.restart);
};

$('add-pin').onclick = () => $('pin-rows').append(pinRow({}));

$('pins-form').onsubmit = async (ev) => {
  ev.preventDefault();
  clear();
  const pins = [...$('pin-rows').children].map((row) => {
    const v = (n) => row.querySelector('[name=' + n + ']');
    const gpio = v('pin').value.trim();
    return { name: v('name').value.trim(), pin: /^\d+$/.test(gpio) ? +gpio : gpio, mode: v('mode').value,
      invert: v('invert').checked, on: v('on').checked };
  });
  const was = typed(ev.target), [ok, data] = await send({ pins });
  if (!ok) return show(data, 'pins-msg');
  fill(data);
  if (typed(ev.target) === was) fillPins(data);
  $('pins-msg').textContent = 'Saved: the pins work this way now.';
};

$('secrets').onchange = (ev) => { $('download').href = '/api/backup' + (ev.target.checked ? '?secrets=1' : ''); };

$('restore-form').onsubmit = async (ev) => {
  ev.preventDefault();
  clear();
  const [ok, data] = await send(await ev.target.file.files[0].text(), 'backup');
  if (!ok) return show({ error: (data.field ? data.field + ': ' : '') + data.error }, 'restore-msg');
  $('restore-msg').textContent = 'Restored: ' + (data.restored.join(', ') || 'nothing') +
    (data.networks_added.length ? '; networks added: ' + data.networks_added.join(', ') : '') +
    (data.ignored.length ? '; ignored: ' + data.ignored.join(', ') : '') + '.' + later(data.restart);
  send().then(([ok, s]) => { if (ok) { fill(s); showDevice(); fillPins(s); } });
};

$('reset').onclick = async () => {
  if (!confirm('Factory reset: forget every setting and restart? The device then opens its setup access point.')) return;
  const [ok, data] = await send({ confirm: 'reset', keep_wifi: $('keep-wifi').checked }, 'reset');
  if (!ok) return show(data, 'reset-msg');
  $('reset-msg').textContent = 'Reset. The device restarts; join its setup access point to set it up again.';
};

send().then(([ok, data]) => { if (!ok) return show(data, 'device-msg'); fill(data); fillPins(data, 1); });
