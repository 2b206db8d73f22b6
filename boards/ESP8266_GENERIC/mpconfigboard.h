// microdot-firmware glue: the stock ESP8266_GENERIC board header (port directory is on the
// include path).
#include "boards/ESP8266_GENERIC/mpconfigboard.h"
