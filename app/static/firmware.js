// The Firmware card: over-the-air update of an ESP32 built with two app slots (/api/firmware,
// docs/web-ui.md). The page computes the image's SHA-256 itself (sha256hex below): the browser's
// crypto.subtle exists only in secure contexts (https or localhost) and the board serves plain
// http on the LAN. The device checks the hash while the image streams into flash.
'use strict';
(function () {
  const $ = (id) => document.getElementById(id);
  const ror = (x, n) => (x >>> n) | (x << (32 - n));

  // SHA-256 (FIPS 180-4) of a Uint8Array, as hex. The round constants are the fractional parts
  // of the cube roots (K) and square roots (H) of the first primes, computed here.
  function sha256hex(data) {
    const primes = [];
    for (let n = 2; primes.length < 64; n++) if (primes.every((p) => n % p)) primes.push(n);
    const frac = (x) => (x - Math.floor(x)) * 4294967296 >>> 0;
    const K = primes.map((p) => frac(Math.cbrt(p)));
    const H = primes.slice(0, 8).map((p) => frac(Math.sqrt(p)));
    const n = data.length, total = ((n + 9 + 63) >> 6) << 6;
    const m = new Uint8Array(total);
    m.set(data);
    m[n] = 0x80;
    const dv = new DataView(m.buffer);
    dv.setUint32(total - 8, Math.floor(n / 0x20000000));  // the length in bits, big-endian
    dv.setUint32(total - 4, (n * 8) >>> 0);
    const w = new Uint32Array(64);
    for (let off = 0; off < total; off += 64) {
      for (let i = 0; i < 16; i++) w[i] = dv.getUint32(off + 4 * i);
      for (let i = 16; i < 64; i++) {
        const x = w[i - 15], y = w[i - 2];
        w[i] = w[i - 16] + (ror(x, 7) ^ ror(x, 18) ^ (x >>> 3)) + w[i - 7] +
          (ror(y, 17) ^ ror(y, 19) ^ (y >>> 10));
      }
      let [a, b, c, d, e, f, g, h] = H;
      for (let i = 0; i < 64; i++) {
        const t1 = h + (ror(e, 6) ^ ror(e, 11) ^ ror(e, 25)) + ((e & f) ^ (~e & g)) + K[i] + w[i] | 0;
        const t2 = (ror(a, 2) ^ ror(a, 13) ^ ror(a, 22)) + ((a & b) ^ (a & c) ^ (b & c)) | 0;
        h = g; g = f; f = e; e = d + t1 | 0; d = c; c = b; b = a; a = t1 + t2 | 0;
      }
      [a, b, c, d, e, f, g, h].forEach((v, i) => { H[i] = H[i] + v | 0; });
    }
    return H.map((v) => (v >>> 0).toString(16).padStart(8, '0')).join('');
  }
  window.sha256hex = sha256hex;  // for the browser test and the curious

  function say(msg, bad) {
    const p = $('fw-msg');
    p.textContent = msg;
    p.className = bad ? 'msg bad' : 'msg';
  }

  async function call(url, opt) {  // JSON of a request; 503 (the board is busy) is retried
    let r;
    for (let i = 0; ; i++) {
      r = await fetch(url, opt);
      if (r.status !== 503 || i === 4) break;
      await new Promise((ok) => setTimeout(ok, 1000 + 300 * i));
    }
    if (r.status === 401) {  // the session ended (a restart ends them all): log in again
      location.href = '/login?next=' + encodeURIComponent(location.pathname);
      return new Promise(() => {});  // the page is leaving
    }
    const data = await r.json().catch(() => null);
    if (!r.ok) throw new Error((data && data.error) || r.status + ' ' + r.statusText);
    return data;
  }

  let state = null;

  function show(s) {
    state = s;
    const info = $('fw-info');
    $('fw-form').style.display = s.ota ? '' : 'none';
    if (!s.ota) { info.textContent = s.message; return; }
    const r = s.running, u = s.update;
    info.textContent = 'Running ' + (r.project || '?') + ' ' + (r.version || '?') + ' from ' +
      r.label + '; an update goes to ' + s.next.label + ' (up to ' + Math.floor(s.next.size / 1024) + ' kB).';
    if (u && u.rolled_back) say('The update to ' + (u.version || u.label) + ' did not start properly and was rolled back.', true);
  }

  // After an update the page waits for the board to come back (maybe through the login page:
  // a restart ends the sessions); sessionStorage remembers which slot it expects.
  function verdict(s) {
    const label = sessionStorage.fwExpect;
    if (!label || !s.ota) return;
    delete sessionStorage.fwExpect;
    if (s.running.label === label) say('The new firmware is running (' + (s.running.version || label) + ') and is kept.');
    else say('The board went back to the previous firmware: the new one did not start properly.', true);
  }

  async function load() {
    const s = await call('/api/firmware');
    show(s);
    verdict(s);
  }

  async function waitForBoard() {  // the board restarts; its first answer confirms it
    for (let i = 0; i < 60; i++) {
      await new Promise((ok) => setTimeout(ok, 2000));
      let s;
      try { s = await fetch('/api/firmware'); } catch (e) { continue; }  // still restarting
      if (s.status === 503) continue;
      return load();
    }
    say('The board has not come back yet: reload this page in a while.', true);
  }

  $('fw-form').onsubmit = async (ev) => {
    ev.preventDefault();
    const file = ev.target.image.files[0];
    if (!file) return;
    const btn = ev.target.querySelector('button');
    const bar = $('fw-progress');
    btn.disabled = true;
    try {
      if (file.size > state.next.size) throw new Error('The image is larger than the update slot (' + file.size + ' > ' + state.next.size + ' bytes).');
      say('Checking ' + file.name + '\u2026');
      const data = new Uint8Array(await file.arrayBuffer());
      const sha = sha256hex(data);
      bar.hidden = false;
      let r = null;
      for (let off = 0; off < data.length; off += state.piece) {
        bar.value = off / data.length;
        say('Writing ' + file.name + ': ' + Math.round(100 * off / data.length) + '%');
        r = await call('/api/firmware?size=' + data.length + '&sha256=' + sha + '&offset=' + off, {
          method: 'POST', headers: { 'Content-Type': 'application/octet-stream' },
          body: data.subarray(off, off + state.piece),
        });
      }
      bar.value = 1;
      say('Firmware ' + (r.version || '') + ' written to ' + r.boot + '. The board restarts into it and keeps it once this page reaches it again\u2026');
      sessionStorage.fwExpect = r.boot;
      await waitForBoard();
    } catch (e) {
      say(e.message, true);
    } finally {
      btn.disabled = false;
      bar.hidden = true;
    }
  };

  (window.settled || Promise.resolve()).then(load).catch((e) => say(e.message, true));
})();
