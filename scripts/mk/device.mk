# Working with a board over USB serial (mpremote), and the board simulated on this computer.
# See docs/firmware.md. The serial device is DEVICE (see the Makefile); PORT is an HTTP port.
#
## make deploy [DEVICE=/dev/ttyUSB0] [CLEAN=1] [MPY=1]  build app/ and copy it to the board
##                  (unchanged files skipped), then soft-reset it; CLEAN=1 also removes files an
##                  earlier deploy put there that are gone now (never config.json or other
##                  settings); MPY=1 copies it compiled to .mpy (small boards: ESP8266)
## make repl [DEVICE=...]      the board's REPL (Ctrl-] leaves)
## make mount [DEVICE=...]     app/ as /remote on the board for live editing (templates and assets
##                  built in place first), then a REPL
## make run-device [PORT=8080]  the firmware's boot on the unix port with simulated Wi-Fi, as a
##                  freshly set-up board (filesystem build/sim-device/: edit its config.json or
##                  sim.json to try the setup portal; Ctrl-C stops, a reset restarts it)

# What `make deploy` copies, as it is, to the board's root: by default the build of app/ (compiled
# templates, gzipped assets), made first; with MPY=1 that build compiled by mpy-cross (a board
# compiles .py sources in its heap, which an ESP8266 can rarely spare; the .py files an earlier
# deploy left are removed, as they would be imported instead); `make example-deploy` passes an
# example's directory. The only place APP_DIR is set.
MPY ?=
APP_DIR ?= $(if $(MPY),build/app-mpy,build/app)
# CLEAN=1: remove what an earlier deploy copied and the directory no longer has.
CLEAN ?=
SIM_DEVICE ?= build/sim-device

.PHONY: deploy repl mount run-device

deploy: check-device $(STAMP) $(if $(filter build/app,$(APP_DIR)),app-build) \
  $(if $(filter build/app-mpy,$(APP_DIR)),app-build-mpy)
	$(PY) scripts/deploy.py --src $(APP_DIR) $(if $(DEVICE),--device $(DEVICE)) $(if $(CLEAN),--clean)

repl: check-device $(STAMP)
	$(MPREMOTE) connect $(or $(DEVICE),auto) resume repl

mount: check-device $(STAMP)
	$(PY) scripts/build_assets.py --in-place
	@echo "app/ is /remote on the board. To boot it as the firmware would:"
	@echo "  import device.runtime; device.runtime.main()"
	$(MPREMOTE) connect $(or $(DEVICE),auto) mount app repl

run-device: check-port $(STAMP)
	$(PY) scripts/run_host.py --host $(HOST) --port $(PORT) --fs $(SIM_DEVICE) --fresh

# The firmware targets (scripts/mk/firmware.mk) take the board's serial device too.
flash erase: check-device
