// microdot-firmware glue: the stock ESP32_GENERIC_S3 board header (port directory is on the include path).
#include "boards/ESP32_GENERIC_S3/mpconfigboard.h"
