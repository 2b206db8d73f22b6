# Working with a board over USB serial (mpremote). See docs/firmware.md.
#
## make deploy [PORT=/dev/ttyACM0]  copy app/ to the board (unchanged files skipped by hash), soft-reset
## make repl [PORT=...]       the board's REPL (Ctrl-] to leave)
## make mount [PORT=...]      mount app/ on the board as /remote for live editing, then a REPL

# PORT defaults (in the Makefile) to the HTTP port of `make run`; only a PORT given on the command
# line or in the environment is a serial device. Without one, mpremote picks the first USB board.
DEVICE_SERIAL = $(if $(filter command line environment,$(origin PORT)),$(PORT),)
APP_DIR ?= app

.PHONY: deploy repl mount

deploy: $(STAMP)
	$(PY) scripts/deploy.py --src $(APP_DIR) $(if $(DEVICE_SERIAL),--port $(DEVICE_SERIAL))

repl: $(STAMP)
	$(MPREMOTE) connect $(or $(DEVICE_SERIAL),auto) resume repl

mount: $(STAMP)
	@echo "app/ is /remote on the board. To boot it as the firmware would:"
	@echo "  import device.runtime; device.runtime.main()"
	$(MPREMOTE) connect $(or $(DEVICE_SERIAL),auto) mount $(APP_DIR) repl
