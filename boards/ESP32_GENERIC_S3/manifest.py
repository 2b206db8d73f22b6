# ESP32_GENERIC_S3 has no board manifest of its own: the esp32 port's default one (asyncio, networking
# bundle, drivers), then what microdot-firmware freezes.
include("$(PORT_DIR)/boards/manifest.py")
include("../../frozen/manifest.py")
