# The stock RPI_PICO_W manifest (port modules, asyncio, networking bundle), then what
# microdot-firmware freezes.
include("$(PORT_DIR)/boards/RPI_PICO_W/manifest.py")
include("../../frozen/manifest.py")
