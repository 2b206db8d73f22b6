# The stock 2 MiB+ manifest (port modules, asyncio, drivers), then what microdot-firmware
# freezes.
include("$(PORT_DIR)/boards/ESP8266_GENERIC/manifest_2MiB.py")
include("../../frozen/manifest.py")
