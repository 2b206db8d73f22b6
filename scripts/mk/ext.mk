# Framework extensions (issue 4): build-time template compilation and utemplate for MicroPython.
TEMPLATES ?= app/templates

## make templates  compile utemplate templates on the host (TEMPLATES=dir, default app/templates)
.PHONY: templates
templates: $(STAMP)
	$(PY) scripts/templates.py compile $(TEMPLATES)

# utemplate's runtime is frozen with the framework (frozen/manifest.py): the bootstrap copies it
# into frozen/utemplate/ from the pinned package, so a firmware build needs the bootstrap first.
firmware: $(STAMP)

