# What microdot-firmware puts in flash, in micropython-lib manifest style. Every board's
# boards/<BOARD>/manifest.py includes the stock board manifest and then this file; paths here are
# relative to this directory. `make test` evaluates it (tests/host/test_manifests.py).
import os

metadata(
    description="microdot-firmware: a Microdot 2.x compatible web framework and the device "
    "runtime (Wi-Fi, captive portal, recovery page)",
    version="0.1.0",
    license="MIT",
)

# The framework: every module that runs on MicroPython, except those not_frozen.txt names (the
# CPython-only ones, and the test client, which apps install with mip when they want it).
with open("not_frozen.txt") as f:
    NOT_FROZEN = [line.split()[0] + ".py" for line in f if line.strip() and line[0] != "#"]
package(
    "microdot",
    files=sorted(f for f in os.listdir("microdot") if f.endswith(".py") and f not in NOT_FROZEN),
)

# HMAC-SHA256 for boards (no hmac module): microdot.jwt and device.owner share it. A top-level
# module, so that the device runtime's password check loads no framework package.
module("hmacsha256.py")

# The test client is not frozen, but a module of the frozen package is never looked for on the
# filesystem: a stand-in loads the one mip or the .mpy bundle installs (stubs/microdot/).
module("microdot/test_client.py", base_path="stubs")

# utemplate's runtime (what microdot.utemplate imports), so Template() works in any app. It is not
# in the repository: `make` (scripts/bootstrap.py) copies it here from the pinned utemplate
# package at build time.
if not os.path.isfile("utemplate/.version"):
    raise FileNotFoundError(
        "frozen/utemplate/ is missing: run `make venv` (it copies the pinned utemplate runtime)"
    )
package("utemplate")

# The device runtime: config, Wi-Fi, captive DNS and portal pages, watchdog, safe mode, launcher.
package("device")

# The boot entry, frozen as `main.py`: the board runs it instead of a filesystem main.py, and
# it starts the runtime, which then imports the user's /main.py.
module("main.py", base_path="entry")
