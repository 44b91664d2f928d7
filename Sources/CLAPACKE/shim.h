#ifndef KDMC_CLAPACKE_SHIM_H
#define KDMC_CLAPACKE_SHIM_H
#include <lapacke.h>
#endif
