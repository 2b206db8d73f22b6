# Framework extensions (issue 4): build-time template compilation and utemplate for MicroPython.
TEMPLATES ?= app/templates

## make templates  compile utemplate templates on the host (TEMPLATES=dir, default app/templates)
.PHONY: templates utemplate-lib
templates: $(STAMP)
	$(PY) scripts/templates.py compile $(TEMPLATES)

## make utemplate-lib  utemplate for the unix port / a board: build/lib (.py), build/mpy-lib (.mpy)
utemplate-lib: $(STAMP)
	$(PY) scripts/templates.py lib build/lib
	$(PY) scripts/templates.py lib build/mpy-lib --mpy

