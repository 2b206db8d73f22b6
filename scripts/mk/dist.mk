# The framework for boards that keep stock MicroPython firmware. See docs/install.md.
#
## make mpy                   build/dist/: the framework as .mpy files, a package.json for
##                  `mpremote mip install ./build/dist/mpy/package.json`, and a .tar.gz of lib/microdot/

.PHONY: mpy package-json

mpy: $(STAMP)
	$(PY) scripts/dist.py mpy --out build/dist

package-json: $(STAMP)
	$(PY) scripts/dist.py package-json
