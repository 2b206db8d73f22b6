# Frozen into the firmware as `main.py`. On esp32, esp8266 and rp2 the boot code runs a frozen
# main.py in preference to one on the filesystem (pyexec_file_if_exists checks the frozen modules
# first), so this always runs; it brings Wi-Fi up and then loads the user's /main.py itself.
# Kept out of frozen/'s top level so `import main` on the host never finds it.
import device.runtime

device.runtime.main()
