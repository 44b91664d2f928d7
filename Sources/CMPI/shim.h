#ifndef KDMC_CMPI_SHIM_H
#define KDMC_CMPI_SHIM_H
#include <mpi.h>
#endif
