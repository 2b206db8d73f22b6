// An emulated Raspberry Pi Pico (rp2040js) with a firmware image and a filesystem image in its
// flash, whose USB-CDC console is this process's stdin/stdout. Driven by firmware_test.py.
//
//   node board.mjs --uf2 FILE --bootrom FILE [--fs FILE --fs-offset N] [--bootsel pressed]
//
// --bootrom: the RP2040 boot ROM, as a raw 16 KiB .bin or as the Uint32Array source file
//   (bootrom.ts) of an rp2040js checkout. It is an input, like the MicroPython checkout.
// --fs: a littlefs image written into the flash at --fs-offset (bytes from the flash start).
// --bootsel: the BOOTSEL button. The chip reads it through the QSPI chip-select input, which
//   the emulator leaves low ("pressed") unless driven: released (driven high) by default.
//
// Console bytes the board sends go to stdout unchanged. Bytes on stdin go to the board as they
// arrive, paced by the emulated USB FIFO. Events go to stderr as lines starting "[emulator]":
// "usb connected", "watchdog reset" (the board asked for a reset; this process then exits 3).
import { readFileSync } from 'node:fs';
import { Simulator, USBCDC, ConsoleLogger, LogLevel } from 'rp2040js';

const FLASH_BASE = 0x10000000;
const UF2_MAGIC = [0x0a324655, 0x9e5d5157, 0x0ab16f30];

function parseArgs(argv) {
  const out = { bootsel: 'released' };
  for (let i = 0; i < argv.length; i += 2) {
    const key = argv[i].replace(/^--/, '');
    out[key.replace(/-(.)/g, (_, c) => c.toUpperCase())] = argv[i + 1];
  }
  for (const need of ['uf2', 'bootrom']) {
    if (!out[need]) throw new Error(`--${need} is required`);
  }
  return out;
}

function loadBootrom(path) {
  const raw = readFileSync(path);
  if (path.endsWith('.bin')) {
    return new Uint32Array(raw.buffer, raw.byteOffset, Math.floor(raw.length / 4));
  }
  // rp2040js's demo/bootrom.ts: `new Uint32Array([ 0x..., ... ])`
  const body = raw.toString('utf8');
  const start = body.indexOf('Uint32Array([');
  if (start < 0) throw new Error(`${path}: no Uint32Array literal`);
  const words = body.slice(start).match(/0x[0-9a-fA-F]{1,8}/g) || [];
  return Uint32Array.from(words.map((w) => parseInt(w, 16)));
}

// UF2: 512-byte blocks; word 3 is the target address, word 4 the payload size, data at 32.
function loadUF2(mcu, path) {
  const data = readFileSync(path);
  let blocks = 0;
  for (let off = 0; off + 512 <= data.length; off += 512) {
    const magic = [0, 4, 508].map((o) => data.readUInt32LE(off + o));
    if (magic[0] !== UF2_MAGIC[0] || magic[1] !== UF2_MAGIC[1] || magic[2] !== UF2_MAGIC[2]) {
      throw new Error(`${path}: block ${off / 512} is not a UF2 block`);
    }
    const flags = data.readUInt32LE(off + 8);
    if (flags & 1) continue; // "not main flash"
    const addr = data.readUInt32LE(off + 12);
    const size = data.readUInt32LE(off + 16);
    mcu.flash.set(data.subarray(off + 32, off + 32 + size), addr - FLASH_BASE);
    blocks++;
  }
  return blocks;
}

const args = parseArgs(process.argv.slice(2));
const event = (text) => process.stderr.write(`[emulator] ${text}\n`);

const sim = new Simulator();
const mcu = sim.rp2040;
mcu.logger = new ConsoleLogger(LogLevel.Error);
mcu.loadBootrom(loadBootrom(args.bootrom));
event(`loaded ${loadUF2(mcu, args.uf2)} UF2 blocks`);
if (args.fs) {
  const fs = readFileSync(args.fs);
  mcu.flash.set(fs, Number(args.fsOffset));
  event(`filesystem image of ${fs.length} bytes at flash offset 0x${Number(args.fsOffset).toString(16)}`);
}
// BOOTSEL: pressed = the chip-select input reads low. The emulator's QSPI SS pad starts with its
// input disabled (so it always reads low); the real chip's reset value (0x5a) enables it.
mcu.qspi[1].padValue = 0x5a;
mcu.qspi[1].setInputValue(args.bootsel !== 'pressed');
mcu.peripherals[0x40058].onWatchdogTrigger = () => {
  event('watchdog reset');
  sim.stop();
  process.stdout.write('', () => process.exit(3));
};

const cdc = new USBCDC(mcu.usbCtrl);
const pending = [];
let connected = false;
cdc.onDeviceConnected = () => {
  connected = true;
  event('usb connected');
};
cdc.onSerialData = (bytes) => process.stdout.write(Buffer.from(bytes));

function feed() {
  while (connected && pending.length && !cdc.txFIFO.full) {
    cdc.sendSerialByte(pending.shift());
  }
}
setInterval(feed, 2);
process.stdin.on('data', (chunk) => {
  for (const b of chunk) pending.push(b);
  feed();
});
process.stdin.on('end', () => process.exit(0));

mcu.core.PC = FLASH_BASE;
sim.execute();
