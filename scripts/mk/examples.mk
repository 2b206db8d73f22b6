# Runnable examples (examples/<name>/main.py). See examples/README.md.
#
## make example NAME=<name> [PORT=8080] [CPYTHON=1]  serve examples/<name> on the unix port (or CPython)
## make example-deploy NAME=<name> [DEVICE=/dev/ttyUSB0]  copy examples/<name> to a board (like make deploy)
## make examples              list the examples

NAME ?=

.PHONY: example example-deploy examples

examples:
	@ls examples/*/main.py | sed 's|examples/\(.*\)/main.py|\1|'

example: check-port $(STAMP)
	$(PY) examples/run.py $(NAME) --host $(HOST) --port $(PORT) $(if $(CPYTHON),--cpython)

example-deploy: check-device
	@[ -n "$(NAME)" ] && [ -f examples/$(NAME)/main.py ] || { \
	  echo "error: NAME must be one of: $$(ls examples/*/main.py | sed 's|examples/\(.*\)/main.py|\1|' | tr '\n' ' ')" >&2; exit 2; }
	$(MAKE) --no-print-directory deploy APP_DIR=examples/$(NAME)
