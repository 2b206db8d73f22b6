// microdot-firmware glue: the stock ESP32_GENERIC board header (port directory is on the include path).
#include "boards/ESP32_GENERIC/mpconfigboard.h"
