"""GPIO control: switch an LED from the browser and read a button.

Pins are board-specific: set LED_PIN and BUTTON_PIN for yours (ESP32 DevKit: 2 and 0; ESP8266
NodeMCU: 2 and 0; Pico W: 'LED' and 15). On the host, `make example NAME=gpio` uses the
simulated `machine` module from scripts/sim/.
"""
from machine import Pin
from microdot import Microdot

LED_PIN = 2
BUTTON_PIN = 0

led = Pin(LED_PIN, Pin.OUT, value=0)
button = Pin(BUTTON_PIN, Pin.IN, Pin.PULL_UP)
app = Microdot()

PAGE = '''<!doctype html><meta name="viewport" content="width=device-width">
<title>GPIO</title><h1>LED is <span id="led">?</span></h1>
<button onclick="set(1)">On</button> <button onclick="set(0)">Off</button>
<p>Button pressed: <span id="button">?</span></p>
<script>
function show(s) { led.textContent = s.led ? 'on' : 'off'; button.textContent = s.button; }
function set(v) {
  fetch('/api/led', {method: 'PUT', headers: {'Content-Type': 'application/json'},
                     body: JSON.stringify({on: v})}).then(r => r.json()).then(show);
}
setInterval(() => fetch('/api/state').then(r => r.json()).then(show), 1000);
</script>'''


def state():
    # A pull-up button reads 0 while pressed.
    return {'led': led.value(), 'button': button.value() == 0}


@app.route('/')
async def index(request):
    return PAGE, {'Content-Type': 'text/html; charset=UTF-8'}


@app.get('/api/state')
async def get_state(request):
    return state()


@app.put('/api/led')
async def set_led(request):
    data = request.json
    if not isinstance(data, dict) or 'on' not in data:
        return {'error': 'send {"on": 1} or {"on": 0}'}, 400
    led.value(1 if data['on'] else 0)
    return state()


if __name__ == '__main__':
    app.run(port=5000, debug=True)
