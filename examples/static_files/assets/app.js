// Served to the browser from static/app.js.gz (gzip -9n < assets/app.js > static/app.js.gz).
document.getElementById('message').textContent +=
  ' The script arrived gzip-compressed and ran at ' + new Date().toLocaleTimeString() + '.';
