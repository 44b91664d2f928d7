#ifndef KDMC_CBLAS_SHIM_H
#define KDMC_CBLAS_SHIM_H
#include <cblas.h>
/* OpenBLAS's own thread control (declared in its cblas.h). */
#endif
