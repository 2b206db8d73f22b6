# The stock RPI_PICO2_W manifest (port modules, asyncio, networking bundle), then what
# microdot-firmware freezes.
include("$(PORT_DIR)/boards/RPI_PICO2_W/manifest.py")
include("../../frozen/manifest.py")
