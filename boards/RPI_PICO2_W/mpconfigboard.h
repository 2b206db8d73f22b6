// microdot-firmware glue: the stock RPI_PICO2_W board header (port directory is on the include path).
#include "boards/RPI_PICO2_W/mpconfigboard.h"
