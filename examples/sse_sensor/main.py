"""A sensor stream with Server-Sent Events: the page shows a new reading every second, pushed by
the board (no polling, and the browser reconnects by itself).

ADC_PIN is an analog input: GP26 on a Pico W, GPIO 34 on an ESP32, 0 (the only one) on an
ESP8266. Where there is no ADC (the host), the readings are simulated.
"""
import asyncio
import random

from microdot import Microdot
from microdot.sse import with_sse

ADC_PIN = 26
INTERVAL = 1  # seconds between readings

try:
    from machine import ADC
    adc = ADC(ADC_PIN)
except (ImportError, ValueError):
    adc = None

app = Microdot()

PAGE = '''<!doctype html><meta name="viewport" content="width=device-width">
<title>Sensor</title><h1>Sensor: <span id="value">waiting...</span></h1>
<script>
const source = new EventSource('/events');
source.addEventListener('reading', (e) => {
  value.textContent = JSON.parse(e.data).value;
});
</script>'''


def read_sensor():
    """A reading from 0 to 65535: the ADC's, or a simulated one."""
    if adc is not None:
        return adc.read_u16()
    return 30000 + random.getrandbits(12)


@app.route('/')
async def index(request):
    return PAGE, {'Content-Type': 'text/html; charset=UTF-8'}


@app.route('/events')
@with_sse
async def events(request, sse):
    count = 0
    while True:  # ends (cancelled) when the browser goes away
        count += 1
        await sse.send({'value': read_sensor(), 'count': count}, event='reading')
        await asyncio.sleep(INTERVAL)


if __name__ == '__main__':
    app.run(port=5000, debug=True)
