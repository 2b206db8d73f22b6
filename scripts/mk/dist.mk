# The framework for boards that keep stock MicroPython firmware. See docs/install.md.
#
## make mpy                   build/dist/: the framework as .mpy files, a package.json for
##                  `mpremote mip install ./build/dist/mpy/package.json`, and a .tar.gz of lib/microdot/
## make package-json          rewrite frozen/package.json (mip's list of the framework's sources)
##                  after adding or removing a module
## make mip-install [DEVICE=...] [REF=v1.0]  install the framework from GitHub (REPO=github:<owner>/<name>,
##                  default: this clone's origin) on a board with `mpremote mip`

.PHONY: mpy package-json mip-install

mpy: $(STAMP)
	$(PY) scripts/dist.py mpy --out build/dist

package-json: $(STAMP)
	$(PY) scripts/dist.py package-json

mip-install: check-device $(STAMP)
	@[ -n "$(REPO)" ] || { echo "error: no REPO: this clone has no GitHub 'origin' remote. Pass" \
	  "REPO=github:<owner>/<name>, where the repository is on GitHub" >&2; exit 2; }
	@echo "installing $(REPO)/frozen$(if $(REF),@$(REF))"
	$(MPREMOTE) connect $(or $(DEVICE),auto) mip install $(REPO)/frozen$(if $(REF),@$(REF))
