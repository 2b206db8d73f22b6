# Working with a board over USB serial (mpremote). See docs/firmware.md.
#
## make deploy [PORT=/dev/ttyACM0]  copy app/ to the board (unchanged files skipped by hash), soft-reset
## make repl [PORT=...]       the board's REPL (Ctrl-] to leave)
## make mount [PORT=...]      mount app/ on the board as /remote for live editing, then a REPL
## make run-device [PORT=8080]  boot the firmware runtime on the unix port with simulated Wi-Fi
##                  (filesystem: build/sim-device; edit its sim.json/config.json to try the portal)

# PORT defaults (in the Makefile) to the HTTP port of `make run`; only a PORT given on the command
# line or in the environment is a serial device. Without one, mpremote picks the first USB board.
DEVICE_SERIAL = $(if $(filter command line environment,$(origin PORT)),$(PORT),)
APP_DIR ?= app
# Build steps the app needs before it goes to a board (compiled templates, gzipped assets...):
# another .mk adds its targets with `DEPLOY_PREREQS += target`, in any include order.
DEPLOY_PREREQS ?=

.SECONDEXPANSION:
.PHONY: deploy repl mount run-device

deploy: $(STAMP) $$(DEPLOY_PREREQS)
	$(PY) scripts/deploy.py --src $(APP_DIR) $(if $(DEVICE_SERIAL),--port $(DEVICE_SERIAL))

repl: $(STAMP)
	$(MPREMOTE) connect $(or $(DEVICE_SERIAL),auto) resume repl

mount: $(STAMP)
	@echo "app/ is /remote on the board. To boot it as the firmware would:"
	@echo "  import device.runtime; device.runtime.main('/config.json')"
	$(MPREMOTE) connect $(or $(DEVICE_SERIAL),auto) mount $(APP_DIR) repl

SIM_DEVICE ?= build/sim-device

run-device: $(STAMP) $$(DEPLOY_PREREQS)
	mkdir -p $(SIM_DEVICE)
	$(PY) -c "import sys; sys.path.insert(0, 'scripts'); import deploy, shutil, os; \
	  [os.makedirs(os.path.dirname(os.path.join('$(SIM_DEVICE)', r)) or '.', exist_ok=True) or \
	   shutil.copy(l, os.path.join('$(SIM_DEVICE)', r)) for l, r in deploy.app_files('$(APP_DIR)')]"
	[ -f $(SIM_DEVICE)/config.json ] || echo '{"networks": [{"ssid": "SimNet", "password": "simulated"}], "port": $(PORT), "dns_port": 5353}' > $(SIM_DEVICE)/config.json
	cd $(SIM_DEVICE) && MICROPYPATH=$(CURDIR)/scripts/sim:$(CURDIR)/frozen:.frozen $(CURDIR)/$(MICROPYTHON) $(CURDIR)/frozen/entry/main.py
